package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.internal.supervision.ErrorClassifier;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

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
      Throwable failed =
          catchThrowableOfType(
              () ->
                  h.control
                      .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(20))
                      .toCompletableFuture()
                      .get(25, TimeUnit.SECONDS),
              ExecutionException.class);
      assertThat(failed).as("the source must fail, not wait").isNotNull();
      assertThat(failed.getCause()).isInstanceOf(SourceFailedException.class);
      SourceStatus status = h.control.status();
      assertThat(status.level()).isEqualTo(StatusLevel.FAILED);
      assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
      assertThat(status.reason())
          .contains("proto-version")
          .contains("PostgreSQL 13")
          .contains("14")
          .contains("proto-version = 1");
      assertThat(((SourceFailedException) failed.getCause()).kind())
          .isEqualTo(FailureKind.PROTOCOL_VERSION);
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
    SQLException refused;
    try (Connection c = PG.server().connectReplication()) {
      refused =
          catchThrowableOfType(
              () ->
                  c.unwrap(PGConnection.class)
                      .getCopyAPI()
                      .copyDual(
                          "START_REPLICATION SLOT p_slot LOGICAL 0/0 (proto_version '2', publication_names '\"p_pub\"')"),
              SQLException.class);
    }
    assertThat((Throwable) refused).as("PostgreSQL 13 refuses protocol version 2").isNotNull();
    Classification c = ErrorClassifier.classify(refused, "postgres", "postgres");
    assertThat(c.errorClass())
        .as(refused.getSQLState() + " " + refused.getMessage())
        .isEqualTo(ErrorClass.FATAL);
    assertThat(c.reason()).contains("proto_version").contains("proto-version = 1");
    assertThat(c.kind()).isEqualTo(FailureKind.PROTOCOL_VERSION);
  }
}
