package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13: before PostgreSQL 16 a standby cannot decode at all. A source pointed at one ends
 * FAILED once, saying so, instead of retrying for ever.
 */
class StandbyBefore16IT extends ActorSystemPerClass {
  @RegisterExtension
  static final PrimaryAndStandby SERVERS =
      PrimaryAndStandby.version(15).table("b16_t", "int", "b16_pub").build();

  @Test
  void failsSayingThatAStandbyNeeds16() throws Exception {
    Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(SERVERS.standby(), "b16_slot", "b16_pub")
                .withCreateSlotIfMissing(true));
    try {
      h.control
          .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(15))
          .toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected the source to fail");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(SourceFailedException.class);
    }
    assertThat(h.control.status().level()).isEqualTo(StatusLevel.FAILED);
    assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
    SourceFailedException f = h.control.status().error().orElseThrow();
    assertThat(f.kind()).isEqualTo(FailureKind.CONFIGURATION);
    assertThat(f.problem()).contains("standby");
    assertThat(f.remediation()).contains("PostgreSQL 16").contains("primary");
    h.close();
  }
}
