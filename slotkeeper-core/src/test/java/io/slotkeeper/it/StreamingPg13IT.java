package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15: streaming = on needs PostgreSQL 14; on 13 the source ends FAILED naming 14. With auto
 * it streams on 13 without streaming.
 */
class StreamingPg13IT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG = PostgresExtension.builder().version(13).build();

  @BeforeAll
  static void schema() {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE p (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION p_pub FOR TABLE p");
    pg.execute("SELECT pg_create_logical_replication_slot('p_slot', 'pgoutput')");
  }

  @Test
  void streamingOnOnPostgres13FailsOnceNamingPostgres14() throws Exception {
    Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(PG.server(), "p_slot", "p_pub")
                .withStreaming(StreamSettings.Streaming.ON));
    try {
      SourceFailedException failure = Refusals.failsOnce(h);
      SourceStatus status = h.control.status();
      assertThat(status.reason())
          .contains("streaming")
          .contains("PostgreSQL 14")
          .contains("PostgreSQL 13");
      assertThat(failure.kind()).isEqualTo(FailureKind.PROTOCOL_VERSION);
      assertThat(status.error())
          .hasValueSatisfying(e -> assertThat(e.remediation()).contains("streaming = off"));
    } finally {
      h.close();
    }
  }

  @Test
  void autoStreamsWithoutStreamingOnPostgres13() throws Exception {
    PG.server().execute("SELECT pg_create_logical_replication_slot('p_auto', 'pgoutput')");
    PG.server().execute("INSERT INTO p VALUES (13)");
    SourceSettings s =
        Harness.settings(PG.server(), "p_auto", "p_pub")
            .withStreaming(StreamSettings.Streaming.AUTO);
    Harness h = Harness.start(kit.system(), s);
    try {
      Harness.await(
          "the insert", Duration.ofSeconds(30), () -> h.consumer.insertedIds().contains("13"));
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.ACTIVE);
    } finally {
      h.close();
    }
  }

  /** Should the server be asked anyway, its own refusal is fatal too, not a reconnect loop. */
  @Test
  void theServersOwnRefusalOfStreamingIsFatal() throws Exception {
    Classification c =
        Refusals.serverRefusal(
            PG.server(),
            "START_REPLICATION SLOT p_slot LOGICAL 0/0 (proto_version '1',"
                + " publication_names '\"p_pub\"', streaming 'on')");
    assertThat(c.kind()).isEqualTo(FailureKind.PROTOCOL_VERSION);
    assertThat(c.remediation()).contains("streaming = off").contains("PostgreSQL 14");
  }
}
