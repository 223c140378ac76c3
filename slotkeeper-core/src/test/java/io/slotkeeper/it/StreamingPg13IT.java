package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 15: streaming = on needs PostgreSQL 14; on 13 the source ends FAILED naming 14. */
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
