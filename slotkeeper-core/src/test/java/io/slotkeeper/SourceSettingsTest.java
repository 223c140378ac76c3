package io.slotkeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SourceSettingsTest {
  private static SourceSettings parse(String hocon) {
    return SourceSettings.create(ConfigFactory.parseString(hocon));
  }

  private static final String VALID =
      "url = \"jdbc:postgresql://db:5432/app\", user = repl, password = \"s3cret\", slot-name = app_slot,"
          + " publications = [app_pub]";

  @Test
  void readsEveryKeyWithDefaults() {
    SourceSettings s = parse(VALID + ", slot.on-invalidated = recreate, heartbeat.interval = 30s,"
        + " slot.creation.terminate-blockers-after = 2m, connection-properties { sslmode = require }");
    assertThat(s.validate()).isSameAs(s);
    assertThat(s.keepaliveInterval()).isEmpty();
    assertThat(s.keepaliveMaxInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.onInvalidated()).isEqualTo(SourceSettings.OnInvalidated.RECREATE);
    assertThat(s.heartbeatInterval()).contains(Duration.ofSeconds(30));
    assertThat(s.terminateBlockersAfter()).contains(Duration.ofMinutes(2));
    assertThat(s.createSlotIfMissing()).isFalse();
    assertThat(s.idleAdvance()).isTrue();
    assertThat(s.safeWalSizeWarningBytes()).isEqualTo(1L << 30);
    assertThat(s.jdbcProperties().getProperty("sslmode")).isEqualTo("require");
    assertThat(s.databaseName()).isEqualTo("app");
    assertThat(s.connectionDispatcher()).isEqualTo("slotkeeper.connection-dispatcher");
    assertThat(s.blockingDispatcher()).isEqualTo("slotkeeper.blocking-dispatcher");
    assertThat(s.withBlockingDispatcher("my.blocking").blockingDispatcher()).isEqualTo("my.blocking");
    assertThat(s.blockingDispatcher()).as("the original is left alone").isEqualTo("slotkeeper.blocking-dispatcher");
  }

  @Test
  void withCopiesLeaveTheOriginalAlone() {
    SourceSettings a = parse(VALID);
    SourceSettings b = a.withSlotName("other").withKeepaliveInterval(Duration.ofSeconds(2));
    assertThat(a.slotName()).isEqualTo("app_slot");
    assertThat(a.keepaliveInterval()).isEmpty();
    assertThat(b.slotName()).isEqualTo("other");
    assertThat(b.keepaliveInterval()).contains(Duration.ofSeconds(2));
  }

  @Test
  void passwordsNeverShowInToString() {
    SourceSettings s = parse(VALID + ", connection-properties { sslpassword = \"keypass\" }")
        .withUrl("jdbc:postgresql://db/app?password=inurl")
        .withPrimary("jdbc:postgresql://primary/app", "admin", "primarysecret");
    String text = s.toString();
    assertThat(text).doesNotContain("s3cret").doesNotContain("keypass").doesNotContain("inurl")
        .doesNotContain("primarysecret").contains("***");
  }

  @Test
  void badValuesNameTheKeyAndTheFix() {
    assertThatThrownBy(() -> parse(VALID + ", slot-name = \"Bad-Name\"").validate())
        .hasMessageContaining("slotkeeper.source.slot-name").hasMessageContaining("Fix:");
    assertThatThrownBy(() -> parse(VALID + ", publications = []").validate())
        .hasMessageContaining("publications").hasMessageContaining("Fix:");
    assertThatThrownBy(() -> parse(VALID.replace("jdbc:postgresql", "jdbc:mysql")).validate())
        .hasMessageContaining("not a PostgreSQL JDBC URL");
    assertThatThrownBy(() -> parse(VALID + ", keepalive-interval = soon"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keepalive-interval");
    assertThatThrownBy(() -> parse(VALID + ", slot.on-invalidated = ignore"))
        .hasMessageContaining("on-invalidated").hasMessageContaining("fail or recreate");
  }
}
