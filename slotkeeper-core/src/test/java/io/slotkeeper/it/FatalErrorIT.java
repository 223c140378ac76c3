package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 3, test 6: configuration errors end FAILED after one attempt, with a reason that names the
 * fix, and the stream fails with the same words; nothing retries in a loop.
 */
class FatalErrorIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().superuserPassword("fatal-it-secret").build();

  @BeforeAll
  static void schema() {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE f (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION f_pub FOR TABLE f");
    pg.execute("SELECT pg_create_logical_replication_slot('f_slot', 'pgoutput')");
  }

  /** Runs a source that must fail; returns its final status after checking the one-attempt rule. */
  private static SourceStatus failOnce(SourceSettings settings, FailureKind kind) throws Exception {
    Harness h = Harness.start(kit.system(), settings);
    try {
      h.control
          .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(20))
          .toCompletableFuture()
          .get(25, TimeUnit.SECONDS);
      throw new AssertionError("expected the source to fail");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(SourceFailedException.class);
    }
    SourceStatus status = h.control.status();
    assertThat(status.level()).isEqualTo(StatusLevel.FAILED);
    assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
    try {
      h.done.toCompletableFuture().get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected the stream to fail");
    } catch (ExecutionException e) {
      assertThat(e.getCause())
          .isInstanceOf(SourceFailedException.class)
          .hasMessage(status.reason());
      // The parts stay apart: a program prints the fix from a field, not by splitting the message.
      SourceFailedException f = (SourceFailedException) e.getCause();
      assertThat(f.remediation()).isNotEmpty();
      assertThat(f.getMessage()).isEqualTo(f.problem() + ". Fix: " + f.remediation());
      assertThat(f.kind()).isEqualTo(kind);
      // The status holds the same failure in fields.
      assertThat(status.error()).containsSame(f);
    }
    assertThat(status.reason()).doesNotContain(PG.server().superuserPassword());
    h.close();
    return status;
  }

  @Test
  void missingPublication() throws Exception {
    SourceStatus s =
        failOnce(
            Harness.settings(PG.server(), "f_slot", "no_such_pub"), FailureKind.MISSING_OBJECT);
    assertThat(s.reason())
        .contains("no_such_pub")
        .contains("does not exist")
        .contains("CREATE PUBLICATION");
  }

  @Test
  void missingSlot() throws Exception {
    SourceStatus s =
        failOnce(
            Harness.settings(PG.server(), "no_such_slot", "f_pub"), FailureKind.MISSING_OBJECT);
    assertThat(s.reason())
        .contains("no_such_slot")
        .contains("pg_create_logical_replication_slot")
        .contains("create-if-missing");
  }

  @Test
  void roleWithoutReplication() throws Exception {
    PostgresServer pg = PG.server();
    pg.createRole("plain_role", "plain-secret", false);
    SourceStatus s =
        failOnce(
            Harness.settings(pg, "f_slot", "f_pub")
                .withUser("plain_role")
                .withPassword("plain-secret"),
            FailureKind.PRIVILEGE);
    assertThat(s.reason()).contains("ALTER ROLE plain_role WITH REPLICATION");
  }

  @Test
  void wrongPassword() throws Exception {
    SourceStatus s =
        failOnce(
            Harness.settings(PG.server(), "f_slot", "f_pub").withPassword("not-the-password"),
            FailureKind.AUTHENTICATION);
    assertThat(s.reason()).contains("password authentication failed").contains("Fix:");
    assertThat(s.reason()).doesNotContain("not-the-password");
  }

  @Test
  void missingDatabase() throws Exception {
    PostgresServer pg = PG.server();
    SourceStatus s =
        failOnce(
            Harness.settings(pg, "f_slot", "f_pub")
                .withUrl("jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/no_such_db"),
            FailureKind.MISSING_OBJECT);
    assertThat(s.reason()).contains("no_such_db").contains("Fix:");
  }

  @Test
  void walLevelNotLogical() throws Exception {
    try (PostgresServer replica =
        PostgresServer.builder().setting("wal_level", "replica").start()) {
      replica.execute("CREATE TABLE f (id int PRIMARY KEY)");
      replica.execute("CREATE PUBLICATION f_pub FOR TABLE f");
      SourceStatus s =
          failOnce(Harness.settings(replica, "f_slot", "f_pub"), FailureKind.WAL_LEVEL);
      assertThat(s.reason()).contains("wal_level").contains("ALTER SYSTEM SET wal_level = logical");
    }
  }
}
