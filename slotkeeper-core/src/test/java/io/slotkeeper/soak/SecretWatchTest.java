package io.slotkeeper.soak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The watch itself must be able to fail the soak: a secret in a DEBUG line is found. */
class SecretWatchTest {

  @Test
  void findsTheSecretInAnEngineDebugLineAndInTheSettingsText() throws Exception {
    String secret = "Watch-Me-5512";
    SecretWatch w = new SecretWatch(secret, () -> null, "Settings(password=" + secret + ")");
    try {
      LoggerFactory.getLogger("io.slotkeeper.internal.somewhere").debug("url with {}", secret);
      LoggerFactory.getLogger("io.slotkeeper.internal.somewhere").debug("nothing to see");
    } finally {
      w.close();
    }
    assertThat(w.hits()).hasSize(2);
    assertThat(w.hits().get(0)).startsWith("settings.toString").doesNotContain(secret);
    assertThat(w.hits().get(1)).startsWith("log io.slotkeeper.internal.somewhere DEBUG");
  }
}
