package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import io.slotkeeper.internal.admin.AdminActor;
import io.slotkeeper.postgres.HeldTransaction;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.TcpProxy;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 4, tests 1 and 2 (seed 002): CREATE_REPLICATION_SLOT blocked by a transaction that owns an
 * xid. The status names the blocker, heal attempts are counted, and the source becomes ACTIVE
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
  private static SourceProgress blockedThenHealed(PostgresServer pg, SourceSettings settings)
      throws Exception {
    try (HeldTransaction blocker = pg.holdOpenTransaction();
        Harness h = Harness.start(kit.system(), settings)) {
      Harness.await(
          "the status to name the blocker",
          Duration.ofSeconds(30),
          () -> h.control.status().reason().contains("PID " + blocker.pid()));
      Harness.await(
          "two heal attempts",
          Duration.ofSeconds(30),
          () -> h.control.progress().healAttempts() >= 2);
      // The same in fields, for programs: the blocker's PID and what the heal did.
      Harness.await(
          "the blocker in the status's fields",
          Duration.ofSeconds(10),
          () ->
              h.control
                  .status()
                  .waiting()
                  .filter(
                      w ->
                          w instanceof Waiting.CreationBlocked c
                              && c.blockerPids().contains(blocker.pid())
                              && c.heal().attempts() >= 2)
                  .isPresent());
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.STARTING);
      SourceProgress whileBlocked = h.control.progress();

      blocker.commit();
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(60));
      assertThat(h.control.progress().reconnects()).as("healed without a restart").isZero();
      pg.execute("INSERT INTO heal_t VALUES ('after-heal')");
      Harness.await(
          "a change through the new slot",
          Duration.ofSeconds(20),
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
      assertThat(log.warnings())
          .filteredOn(w -> w.contains("pg_log_standby_snapshot"))
          .singleElement()
          .asString()
          .contains("PostgreSQL 16")
          .contains("ending");
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
      SourceProgress blocked =
          blockedThenHealed(pg, settings(pg).withUser("heal_repl").withPassword("heal-pw"));
      assertThat(blocked.healUnavailable()).isGreaterThanOrEqualTo(2);
      assertThat(blocked.healSucceeded()).isZero();
      assertThat(log.warnings())
          .filteredOn(w -> w.contains("pg_log_standby_snapshot"))
          .singleElement()
          .asString()
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
        assertThat(
                pg.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + blocker.pid()))
            .isZero();
      }
    }
  }

  // ---- Issue 10, item 5: creation is not bounded by the socket timeout, and our own orphan is
  // ended.

  /** Low, so the tests can hold a blocker for longer than it without taking minutes. */
  private static final Duration LOW_SOCKET_TIMEOUT = Duration.ofSeconds(3);

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {17})
  void creationOutlastsTheSocketTimeout(int version) throws Exception {
    try (PostgresServer pg = PostgresServer.builder().version(version).start()) {
      schema(pg);
      SourceSettings settings = settings(pg).withSocketTimeout(LOW_SOCKET_TIMEOUT);
      try (HeldTransaction blocker = pg.holdOpenTransaction();
          Harness h = Harness.start(kit.system(), settings)) {
        Harness.await(
            "the status to name the blocker",
            Duration.ofSeconds(30),
            () -> h.control.status().reason().contains("PID " + blocker.pid()));
        // Hold the blocker well past the socket timeout.
        Thread.sleep(LOW_SOCKET_TIMEOUT.multipliedBy(2).plusSeconds(2).toMillis());
        assertThat(h.control.progress().reconnects())
            .as("creation was not cut by the socket timeout")
            .isZero();
        long attempts = h.control.progress().healAttempts();
        Harness.await(
            "healing to go on past the socket timeout",
            Duration.ofSeconds(10),
            () -> h.control.progress().healAttempts() > attempts);
        assertThat(h.control.status().reason()).contains("PID " + blocker.pid());

        blocker.commit();
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        assertThat(h.control.progress().reconnects()).as("created without a restart").isZero();
        pg.execute("INSERT INTO heal_t VALUES ('after-long-creation')");
        Harness.await(
            "a change through the new slot",
            Duration.ofSeconds(20),
            () -> h.consumer.insertedIds().contains("after-long-creation"));
      }
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {17})
  void terminatesBlockersAfterAWaitLongerThanTheSocketTimeout(int version) throws Exception {
    try (PostgresServer pg = PostgresServer.builder().version(version).start();
        LogCapture log = new LogCapture(AdminActor.class);
        HeldTransaction blocker = pg.holdOpenTransaction()) {
      schema(pg);
      SourceSettings settings =
          settings(pg)
              .withSocketTimeout(LOW_SOCKET_TIMEOUT)
              .withTerminateBlockersAfter(LOW_SOCKET_TIMEOUT.plusSeconds(2));
      try (Harness h = Harness.start(kit.system(), settings)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        assertThat(log.warnings()).anyMatch(w -> w.contains("terminated PID " + blocker.pid()));
        assertThat(
                pg.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + blocker.pid()))
            .isZero();
        assertThat(h.control.progress().reconnects()).isZero();
      }
    }
  }

  /**
   * Our connection dies while its walsender waits inside CREATE_REPLICATION_SLOT. That walsender
   * does not notice (it waits on a lock, not on the socket) and keeps the half-created slot active:
   * without help every reconnect would be BUSY on our own orphan until the blocker ends.
   */
  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {17})
  void endsItsOwnOrphanedCreation(int version) throws Exception {
    try (PostgresServer pg = PostgresServer.builder().version(version).start();
        // The orphan is ended by the connection's setup, which logs why.
        LogCapture log = new LogCapture("io.slotkeeper.internal.connection.ConnectionSetup");
        TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
      schema(pg);
      SourceSettings settings =
          settings(pg)
              .withUrl("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/postgres");
      try (HeldTransaction blocker = pg.holdOpenTransaction();
          Harness h = Harness.start(kit.system(), settings)) {
        Harness.await(
            "the status to name the blocker",
            Duration.ofSeconds(30),
            () -> h.control.status().reason().contains("PID " + blocker.pid()));
        int orphan = pg.waitForActiveWalsender("heal_slot", Duration.ofSeconds(10));
        proxy.cutAll();
        Harness.await(
            "the cut to be noticed",
            Duration.ofSeconds(10),
            () -> h.control.progress().reconnects() > 0);
        // Heal ticks of the cut creation may still be on their way; new attempts mean a new
        // creation.
        Thread.sleep(1000);
        long attemptsAfterCut = h.control.progress().healAttempts();
        Harness.await(
            "a new creation, healed again",
            Duration.ofSeconds(30),
            () ->
                h.control.progress().healAttempts() >= attemptsAfterCut + 2
                    && h.control.status().reason().contains("PID " + blocker.pid()));
        assertThat(log.warnings())
            .anyMatch(w -> w.contains("orphan") && w.contains("PID " + orphan));
        assertThat(pg.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + orphan))
            .isZero();

        blocker.commit();
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        pg.execute("INSERT INTO heal_t VALUES ('after-orphan')");
        Harness.await(
            "a change through the new slot",
            Duration.ofSeconds(20),
            () -> h.consumer.insertedIds().contains("after-orphan"));
      }
    }
  }

  /**
   * Someone else's walsender creating our slot, even under our very application name, is not ours
   * to end: the source waits (BUSY) instead.
   */
  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {17})
  void neverEndsSomeoneElsesCreation(int version) throws Exception {
    try (PostgresServer pg = PostgresServer.builder().version(version).start();
        HeldTransaction blocker = pg.holdOpenTransaction()) {
      schema(pg);
      java.util.Properties props = pg.connectionProperties();
      org.postgresql.PGProperty.REPLICATION.set(props, "database");
      org.postgresql.PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
      org.postgresql.PGProperty.PREFER_QUERY_MODE.set(props, "simple");
      org.postgresql.PGProperty.APPLICATION_NAME.set(props, "slotkeeper:heal_slot");
      try (java.sql.Connection other = java.sql.DriverManager.getConnection(pg.jdbcUrl(), props)) {
        java.util.concurrent.CompletableFuture<Void> creating =
            java.util.concurrent.CompletableFuture.runAsync(
                () -> {
                  try (java.sql.Statement st = other.createStatement()) {
                    st.execute(
                        "CREATE_REPLICATION_SLOT heal_slot LOGICAL pgoutput (SNAPSHOT 'nothing')");
                  } catch (java.sql.SQLException e) {
                    throw new java.util.concurrent.CompletionException(e);
                  }
                });
        int foreign = pg.waitForActiveWalsender("heal_slot", Duration.ofSeconds(10));
        try (Harness h = Harness.start(kit.system(), settings(pg))) {
          Harness.await(
              "the source to report the slot busy",
              Duration.ofSeconds(30),
              () -> h.control.status().reason().contains("active for PID " + foreign));
          Thread.sleep(1000);
          assertThat(pg.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + foreign))
              .as("the other creation is left alone")
              .isEqualTo(1);
          blocker.commit();
          creating.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
      }
    }
  }
}
