package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input that only a real server reveals: one line naming the fix, exit code 1, no stack trace.
 */
class CliErrorsIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @BeforeAll
  static void schema() {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE t (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION t_pub FOR TABLE t");
    pg.execute("SELECT pg_create_logical_replication_slot('t_slot', 'pgoutput')");
  }

  private static CliRun stream(
      Map<String, String> env, String user, String slot, String publication) {
    return CliRun.run(
        env,
        "stream",
        "--url",
        PG.server().jdbcUrl(),
        "--user",
        user,
        "--slot",
        slot,
        "--publication",
        publication,
        "--end-lsn",
        "FFFFFFFF/0");
  }

  private static void assertRuntimeError(CliRun r, String... contains) {
    assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
    assertThat(r.errLines()).as(r.toString()).hasSize(1);
    assertThat(r.err)
        .startsWith("slotkeeper: ")
        .contains("Fix: ")
        .doesNotContain("\tat ")
        .contains(contains);
    assertThat(r.out).isEmpty();
  }

  private static Map<String, String> password() {
    return Map.of("PGPASSWORD", PG.server().superuserPassword());
  }

  @Test
  void wrongPassword() {
    CliRun r = stream(Map.of("PGPASSWORD", "not-the-password"), "postgres", "t_slot", "t_pub");
    assertRuntimeError(r, "password authentication failed for role \"postgres\"", "PGPASSWORD");
    assertThat(r.err).doesNotContain("not-the-password");
  }

  @Test
  void noPassword() {
    assertRuntimeError(
        stream(Map.of(), "postgres", "t_slot", "t_pub"), "wants a password", "PGPASSWORD");
  }

  @Test
  void missingSlotWithoutCreateSlot() {
    assertRuntimeError(
        stream(password(), "postgres", "no_such_slot", "t_pub"),
        "replication slot \"no_such_slot\" does not exist",
        "--create-slot");
  }

  @Test
  void missingPublication() {
    assertRuntimeError(
        stream(password(), "postgres", "t_slot", "no_such_pub"),
        "publication \"no_such_pub\" does not exist",
        "--create-publication");
  }

  @Test
  void roleWithoutReplicationGetsTheEnginesReason() {
    // Plain SQL checks pass for this role; the replication connection is refused, the engine's
    // status
    // goes FAILED and its reason (which names the fix) is the program's one line.
    PG.server().createRole("plain", "plain-pw", false);
    PG.server().execute("GRANT SELECT ON t TO plain");
    assertRuntimeError(
        stream(Map.of("PGPASSWORD", "plain-pw"), "plain", "t_slot", "t_pub"), "REPLICATION");
  }

  @Test
  void wrongDatabase() {
    CliRun r =
        CliRun.run(
            password(), "slot", "list", "--url", PG.server().jdbcUrl("nope"), "--user", "postgres");
    assertRuntimeError(r, "database \"nope\" does not exist", "--url");
  }
}
