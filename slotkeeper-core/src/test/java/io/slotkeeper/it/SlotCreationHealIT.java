package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.AdminActor;
import io.slotkeeper.testkit.HeldTransaction;
import io.slotkeeper.testkit.PostgresServer;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 4, tests 1 and 2 (seed 002): CREATE_REPLICATION_SLOT blocked by a transaction that owns
 * an xid. The status names the blocker, heal attempts are counted, and the source becomes ACTIVE
 * without a restart once the blocker ends. On 15 (no pg_log_standby_snapshot) and for a role
 * without EXECUTE on it, a tailored warning appears once per creation attempt.
 */
class SlotCreationHealIT extends ActorSystemPerClass {

  private static SourceSettings settings(PostgresServer pg) {
    return Harness.settings(pg, "heal_slot", "heal_pub")
        .withCreateSlotIfMissing(true)
        .withHealInterval(Duration.ofMillis(300));
  }

  private static void schema(PostgresServer pg) {
    pg.execute("CREATE TABLE heal_t (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION heal_pub FOR TABLE heal_t");
  }

  /** Runs the blocked creation; returns the progress seen while blocked. */
  private static SourceProgress blockedThenHealed(PostgresServer pg, SourceSettings settings) throws Exception {
    try (HeldTransaction blocker = pg.holdOpenTransaction();
        Harness h = Harness.start(kit.system(), settings)) {
      Harness.await("the status to name the blocker", Duration.ofSeconds(30),
          () -> h.control.status().reason().contains("PID " + blocker.pid()));
      Harness.await("two heal attempts", Duration.ofSeconds(30), () -> h.control.progress().healAttempts() >= 2);
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.STARTING);
      SourceProgress whileBlocked = h.control.progress();

      blocker.commit();
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(60));
      assertThat(h.control.progress().reconnects()).as("healed without a restart").isZero();
      pg.execute("INSERT INTO heal_t VALUES ('after-heal')");
      Harness.await("a change through the new slot", Duration.ofSeconds(20),
          () -> h.consumer.insertedIds().contains("after-heal"));
      return whileBlocked;
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16, 17, 18})
  void healsWithPgLogStandbySnapshot(int version) throws Exception {
    try (PostgresServer pg = PostgresServer.builder().version(version).start();
        LogCapture log = new LogCapture(AdminActor.class)) {
      schema(pg);
      SourceProgress blocked = blockedThenHealed(pg, settings(pg));
      assertThat(blocked.healSucceeded()).isGreaterThanOrEqualTo(2);
      assertThat(blocked.healUnavailable() + blocked.healFailed()).isZero();
      assertThat(log.warnings()).noneMatch(w -> w.contains("pg_log_standby_snapshot"));
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {15})
  void explainsThatTheHealNeeds16(int version) throws Exception {
    try (PostgresServer pg = PostgresServer.builder().version(version).start();
        LogCapture log = new LogCapture(AdminActor.class)) {
      schema(pg);
      SourceProgress blocked = blockedThenHealed(pg, settings(pg));
      assertThat(blocked.healUnavailable()).isGreaterThanOrEqualTo(2);
      assertThat(blocked.healSucceeded()).isZero();
      assertThat(log.warnings()).filteredOn(w -> w.contains("pg_log_standby_snapshot"))
          .singleElement().asString().contains("PostgreSQL 16").contains("ending");
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {16})
  void namesTheGrantWhenExecuteIsMissing(int version) throws Exception {
    try (PostgresServer pg = PostgresServer.builder().version(version).start();
        LogCapture log = new LogCapture(AdminActor.class)) {
      schema(pg);
      pg.createRole("heal_repl", "heal-pw", true);
      pg.execute("GRANT SELECT ON heal_t TO heal_repl");
      SourceProgress blocked = blockedThenHealed(pg, settings(pg).withUser("heal_repl").withPassword("heal-pw"));
      assertThat(blocked.healUnavailable()).isGreaterThanOrEqualTo(2);
      assertThat(blocked.healSucceeded()).isZero();
      assertThat(log.warnings()).filteredOn(w -> w.contains("pg_log_standby_snapshot"))
          .singleElement().asString()
          .contains("GRANT EXECUTE ON FUNCTION pg_log_standby_snapshot() TO heal_repl");
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {17})
  void terminatesBlockersAfterTheConfiguredWait(int version) throws Exception {
    try (PostgresServer pg = PostgresServer.builder().version(version).start();
        LogCapture log = new LogCapture(AdminActor.class);
        HeldTransaction blocker = pg.holdOpenTransaction()) {
      schema(pg);
      SourceSettings settings = settings(pg).withTerminateBlockersAfter(Duration.ofSeconds(1));
      try (Harness h = Harness.start(kit.system(), settings)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        assertThat(log.warnings()).anyMatch(w -> w.contains("terminated PID " + blocker.pid()));
        assertThat(pg.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + blocker.pid())).isZero();
      }
    }
  }
}
