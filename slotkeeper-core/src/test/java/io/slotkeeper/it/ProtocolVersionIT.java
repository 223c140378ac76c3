package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, item 10: a pgoutput protocol version the server does not have (2 needs PostgreSQL 14, 3
 * needs 15, 4 needs 16) is a configuration error: FAILED after one attempt, naming the versions
 * this server supports, never a reconnect loop.
 */
class ProtocolVersionIT extends ActorSystemPerClass {
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
  void protocolVersion2OnPostgres13FailsOnceNamingTheSupportedVersion() throws Exception {
    assertThat(PG.server().version()).isEqualTo(13);
    Harness h =
        Harness.start(
            kit.system(), Harness.settings(PG.server(), "p_slot", "p_pub").withProtoVersion(2));
    try {
      SourceFailedException failure = Refusals.failsOnce(h);
      SourceStatus status = h.control.status();
      assertThat(status.reason())
          .contains("proto-version")
          .contains("PostgreSQL 13")
          .contains("14")
          .contains("proto-version = 1");
      assertThat(failure.kind()).isEqualTo(FailureKind.PROTOCOL_VERSION);
      assertThat(status.error())
          .hasValueSatisfying(
              e -> {
                assertThat(e.kind()).isEqualTo(FailureKind.PROTOCOL_VERSION);
                assertThat(e.remediation()).contains("proto-version = 1");
              });
    } finally {
      h.close();
    }
  }

  /**
   * Should the server be asked anyway (a version check skipped or wrong), its refusal is fatal too.
   */
  @Test
  void theServersOwnRefusalOfTheVersionIsFatalAndNamesWhatItSupports() throws Exception {
    Classification c =
        Refusals.serverRefusal(
            PG.server(),
            "START_REPLICATION SLOT p_slot LOGICAL 0/0 (proto_version '2', publication_names"
                + " '\"p_pub\"')");
    assertThat(c.reason()).contains("proto_version").contains("proto-version = 1");
    assertThat(c.kind()).isEqualTo(FailureKind.PROTOCOL_VERSION);
  }
}
