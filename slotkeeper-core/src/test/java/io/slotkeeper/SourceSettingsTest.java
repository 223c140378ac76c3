package io.slotkeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.internal.connection.JdbcProperties;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
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
    SourceSettings s =
        parse(
            VALID
                + ", slot.on-invalidated = recreate, heartbeat.interval = 30s,"
                + " slot.creation.terminate-blockers-after = 2m, connection-properties { sslmode = require }");
    assertThat(s.validate()).isSameAs(s);
    assertThat(s.stream().keepaliveInterval()).isEmpty();
    assertThat(s.stream().keepaliveMaxInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.slot().onInvalidated()).isEqualTo(SlotSettings.OnInvalidated.RECREATE);
    assertThat(s.heartbeat().interval()).contains(Duration.ofSeconds(30));
    assertThat(s.slot().terminateBlockersAfter()).contains(Duration.ofMinutes(2));
    assertThat(s.slot().createIfMissing()).isFalse();
    assertThat(s.stream().idleAdvance()).isTrue();
    assertThat(s.retention().safeWalSizeWarningBytes()).isEqualTo(1L << 30);
    assertThat(JdbcProperties.of(s).getProperty("sslmode")).isEqualTo("require");
    assertThat(s.connection().databaseName()).isEqualTo("app");
    assertThat(s.connectionDispatcher()).isEqualTo("slotkeeper.connection-dispatcher");
    assertThat(s.blockingDispatcher()).isEqualTo("slotkeeper.blocking-dispatcher");
    assertThat(s.withBlockingDispatcher("my.blocking").blockingDispatcher())
        .isEqualTo("my.blocking");
    assertThat(s.blockingDispatcher())
        .as("the original is left alone")
        .isEqualTo("slotkeeper.blocking-dispatcher");
  }

  @Test
  void withCopiesLeaveTheOriginalAlone() {
    SourceSettings a = parse(VALID);
    SourceSettings b = a.withSlotName("other").withKeepaliveInterval(Duration.ofSeconds(2));
    assertThat(a.slot().name()).isEqualTo("app_slot");
    assertThat(a.stream().keepaliveInterval()).isEmpty();
    assertThat(b.slot().name()).isEqualTo("other");
    assertThat(b.stream().keepaliveInterval()).contains(Duration.ofSeconds(2));
  }

  @Test
  void passwordsNeverShowInToString() {
    SourceSettings s =
        parse(VALID + ", connection-properties { sslpassword = \"keypass\" }")
            .withUrl("jdbc:postgresql://db/app?password=inurl")
            .withPrimary("jdbc:postgresql://primary/app", "admin", "primarysecret");
    String text = s.toString();
    assertThat(text)
        .doesNotContain("s3cret")
        .doesNotContain("keypass")
        .doesNotContain("inurl")
        .doesNotContain("primarysecret")
        .contains("***");
  }

  @Test
  void binaryIsAutoByDefaultAndOnOffKeepTheirMeaning() {
    assertThat(parse(VALID).stream().binaryMode()).isEqualTo(StreamSettings.Binary.AUTO);
    assertThat(parse(VALID).stream().binary()).isFalse();
    assertThat(parse(VALID + ", binary = on").stream().binaryMode())
        .isEqualTo(StreamSettings.Binary.ON);
    assertThat(parse(VALID + ", binary = true").stream().binary()).isTrue();
    assertThat(parse(VALID + ", binary = off").stream().binaryMode())
        .isEqualTo(StreamSettings.Binary.OFF);
    assertThat(parse(VALID).stream().withBinary(true).binaryMode())
        .isEqualTo(StreamSettings.Binary.ON);
    assertThat(parse(VALID).stream().withBinary(false).binaryMode())
        .isEqualTo(StreamSettings.Binary.OFF);
  }

  @Test
  void streamingAndItsSpoolAreReadAndChecked() {
    SourceSettings d = parse(VALID);
    // The best the server has (chosen at connect): measured faster for large transactions.
    assertThat(d.stream().streaming()).isEqualTo(StreamSettings.Streaming.OFF);
    assertThat(parse(VALID + ", streaming = off").stream().streaming())
        .isEqualTo(StreamSettings.Streaming.OFF);
    assertThat(parse(VALID + ", streaming = auto").stream().streaming())
        .isEqualTo(StreamSettings.Streaming.AUTO);
    assertThat(d.stream().spool().memoryBudget()).isEqualTo(64L << 20);
    assertThat(d.stream().spool().directory()).isEmpty();
    assertThat(d.stream().spool().diskLimit()).isEqualTo(10L << 30);
    SourceSettings s =
        parse(
            VALID
                + ", streaming = parallel, spool { memory-budget = 1 MiB, directory = \"/var/spool/sk\","
                + " disk-limit = 2 GiB }");
    assertThat(s.validate().stream().streaming()).isEqualTo(StreamSettings.Streaming.PARALLEL);
    assertThat(s.stream().spool().memoryBudget()).isEqualTo(1L << 20);
    assertThat(s.stream().spool().directory()).isEqualTo("/var/spool/sk");
    assertThat(s.stream().spool().diskLimit()).isEqualTo(2L << 30);
    assertThat(parse(VALID + ", streaming = on").stream().streaming())
        .isEqualTo(StreamSettings.Streaming.ON);
    assertThat(s.withStreaming(StreamSettings.Streaming.OFF).stream().streaming())
        .isEqualTo(StreamSettings.Streaming.OFF);
    assertThat(s.stream().streaming())
        .as("the original is left alone")
        .isEqualTo(StreamSettings.Streaming.PARALLEL);
    assertThatThrownBy(() -> parse(VALID + ", streaming = sometimes"))
        .hasMessageContaining("streaming")
        .hasMessageContaining("auto, off, on or parallel");
    assertThatThrownBy(
            () ->
                d.withStream(d.stream().withSpool(d.stream().spool().withDiskLimit(0))).validate())
        .hasMessageContaining("spool.disk-limit");
  }

  @Test
  void toStringNamesEveryFieldOfEveryGroup() {
    SourceSettings s =
        parse(VALID)
            .withHeartbeatInterval(Duration.ofSeconds(7))
            .withBatchSize(123)
            .withTerminateBlockersAfter(Duration.ofMinutes(3))
            .withCreatePublicationIfMissing(true, List.of("public.t1"));
    String text = s.toString();
    // Reflection, so that a field added later without its place in toString fails here.
    for (Class<?> type :
        List.of(
            SourceSettings.class,
            ConnectionSettings.class,
            SlotSettings.class,
            PublicationSettings.class,
            StreamSettings.class,
            SpoolSettings.class,
            RestartSettings.class,
            RetentionSettings.class,
            HeartbeatSettings.class,
            AdminSettings.class)) {
      for (Field f : type.getDeclaredFields()) {
        if (!Modifier.isStatic(f.getModifiers())) {
          assertThat(text)
              .as("%s.%s", type.getSimpleName(), f.getName())
              .contains(f.getName() + "=");
        }
      }
    }
    assertThat(text)
        .contains(
            "jdbc:postgresql://db:5432/app",
            "user=repl",
            "name=app_slot",
            "names=[app_pub]",
            "interval=PT7S",
            "batchSize=123",
            "terminateBlockersAfter=PT3M",
            "tables=[public.t1]",
            "connectionDispatcher=slotkeeper.connection-dispatcher",
            "blockingDispatcher=slotkeeper.blocking-dispatcher");
  }

  @Test
  void toStringShowsWhetherASecretIsSetButNeverTheSecret() {
    SourceSettings s =
        parse(VALID + ", connection-properties { sslpassword = \"keypass\", sslmode = require }")
            .withUrl("jdbc:postgresql://db/app?user=x&password=inurl&ssl=true")
            .withPrimary(
                "jdbc:postgresql://primary/app?PASSWORD=inprimaryurl", "admin", "primarysecret");
    String text = s.toString();
    assertThat(text)
        .doesNotContain("s3cret", "keypass", "inurl", "inprimaryurl", "primarysecret")
        .contains(
            "password=***",
            "sslpassword=***",
            "sslmode=require",
            "primaryPassword=***",
            "ssl=true");
    assertThat(parse(VALID).withPassword("").toString()).contains("password=,");
  }

  @Test
  void theRestartBackOffIsCheckedWithTheKeyAndTheFix() {
    assertThatThrownBy(
            () -> parse(VALID + ", restart { min-backoff = 2s, max-backoff = 1s }").validate())
        .hasMessage(
            "slotkeeper.source.restart.max-backoff (PT1S) must be at least min-backoff (PT2S)."
                + " Fix: raise max-backoff or lower min-backoff");
    assertThatThrownBy(
            () ->
                parse(VALID)
                    .withRestartBackoff(Duration.ZERO, Duration.ofSeconds(1), 1.5)
                    .validate())
        .hasMessageContaining("slotkeeper.source.restart.random-factor");
    assertThatThrownBy(
            () ->
                parse(VALID)
                    .withRestartBackoff(Duration.ofMillis(-1), Duration.ofSeconds(1), 0)
                    .validate())
        .hasMessageContaining("slotkeeper.source.restart.min-backoff");
  }

  @Test
  void badValuesNameTheKeyAndTheFix() {
    assertThatThrownBy(() -> parse(VALID + ", slot-name = \"Bad-Name\"").validate())
        .hasMessageContaining("slotkeeper.source.slot-name")
        .hasMessageContaining("Fix:");
    assertThatThrownBy(() -> parse(VALID + ", publications = []").validate())
        .hasMessageContaining("publications")
        .hasMessageContaining("Fix:");
    assertThatThrownBy(() -> parse(VALID.replace("jdbc:postgresql", "jdbc:mysql")).validate())
        .hasMessageContaining("not a PostgreSQL JDBC URL");
    assertThatThrownBy(() -> parse(VALID + ", keepalive-interval = soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepalive-interval");
    assertThatThrownBy(() -> parse(VALID + ", slot.on-invalidated = ignore"))
        .hasMessageContaining("on-invalidated")
        .hasMessageContaining("fail or recreate");
  }
}
