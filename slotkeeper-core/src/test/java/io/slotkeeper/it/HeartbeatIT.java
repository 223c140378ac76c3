package io.slotkeeper.it;

import static io.slotkeeper.it.SlotQueries.confirmedFlush;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 4, test 4: a quiet database on a busy cluster. All writes go to another database; our
 * slot's restart_lsn only moves if we confirm something. With the heartbeat on it keeps moving;
 * with the heartbeat and idle advance both off it stays put. (Idle advance alone also moves it,
 * from the server's keepalives: that is why it is on by default.)
 */
class HeartbeatIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @BeforeAll
  static void databases() {
    PostgresServer pg = PG.server();
    pg.createDatabase("quiet");
    pg.createDatabase("busy");
    pg.execute("busy", "CREATE TABLE churn (id serial PRIMARY KEY, pad text)");
    pg.execute("quiet", "CREATE TABLE calm (id int PRIMARY KEY)");
    pg.execute("quiet", "CREATE PUBLICATION calm_pub FOR TABLE calm");
  }

  private static Lsn restartLsn(PostgresServer pg, String slot) {
    return Lsn.parse(
        pg.queryString(
            "SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "'"));
  }

  /**
   * Runs a source on the quiet database while the busy one churns; returns how far restart_lsn
   * moved.
   */
  private static long restartLsnAdvance(String slot, SourceSettings tweak) throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("quiet", "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    SourceSettings settings =
        tweak
            .withSlotName(slot)
            .withUrl(pg.jdbcUrl("quiet"))
            .withKeepaliveInterval(Duration.ofMillis(300));
    try (Harness h = Harness.start(kit.system(), settings)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      Lsn before = restartLsn(pg, slot);
      long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      while (System.nanoTime() < end) {
        pg.execute(
            "busy", "INSERT INTO churn (pad) SELECT repeat('z', 200) FROM generate_series(1, 500)");
        // Checkpoints log the running-transactions records that let restart_lsn move.
        pg.execute("CHECKPOINT");
        Thread.sleep(300);
      }
      Thread.sleep(1000);
      assertThat(h.consumer.received)
          .as("heartbeats are not delivered")
          .noneMatch(ChangeEnvelope::isCommit);
      return restartLsn(pg, slot).minus(before);
    }
  }

  @Test
  void heartbeatKeepsAQuietSlotMoving() throws Exception {
    SourceSettings base = Harness.settings(PG.server(), "x", "calm_pub").withIdleAdvance(false);
    long withHeartbeat =
        restartLsnAdvance("hb_on", base.withHeartbeatInterval(Duration.ofMillis(500)));
    long without = restartLsnAdvance("hb_off", base);
    assertThat(withHeartbeat).as("restart_lsn advance with heartbeat").isPositive();
    assertThat(without).as("restart_lsn advance without heartbeat or idle advance").isZero();
  }

  @Test
  void idleAdvanceAloneAlsoKeepsItMoving() throws Exception {
    long idle = restartLsnAdvance("idle_on", Harness.settings(PG.server(), "x", "calm_pub"));
    assertThat(idle).isPositive();
  }

  /**
   * Issue 10, item 2: a user transaction that starts with a message carrying the heartbeat prefix
   * (even with content shaped like the engine's) but holds anything else is the user's: delivered
   * whole, Begin to Commit, and never acknowledged by the engine.
   */
  @Test
  void aUserTransactionStartingWithAHeartbeatLikeMessageIsDeliveredWholeAndNotAcknowledged()
      throws Exception {
    PostgresServer pg = PG.server();
    assumeTrue(pg.version() >= 14, "pgoutput sends logical messages from PostgreSQL 14 on");
    pg.execute("quiet", "SELECT pg_create_logical_replication_slot('hb_user', 'pgoutput')");
    SourceSettings settings =
        Harness.settings(pg, "hb_user", "calm_pub")
            .withUrl(pg.jdbcUrl("quiet"))
            .withIdleAdvance(false)
            .withKeepaliveInterval(Duration.ofMillis(300))
            .withHeartbeatInterval(Duration.ofMillis(300));
    try (Harness h = Harness.start(kit.system(), settings)) {
      h.consumer.autoAck = e -> false;
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      // Let the engine write (and swallow) a few heartbeats of its own first.
      Thread.sleep(1500);
      Lsn before = confirmedFlush(pg, "hb_user");
      try (java.sql.Connection c = pg.connect("quiet");
          java.sql.Statement st = c.createStatement()) {
        c.setAutoCommit(false);
        st.execute(
            "SELECT pg_logical_emit_message(true, 'slotkeeper-heartbeat', 'not a heartbeat')");
        st.execute("INSERT INTO calm VALUES (1)");
        c.commit();
        st.execute(
            "SELECT pg_logical_emit_message(true, 'slotkeeper-heartbeat',"
                + " 'slotkeeper heartbeat v1 slot=hb_user at=2026-01-01')");
        st.execute("SELECT pg_logical_emit_message(true, 'other', 'second message')");
        c.commit();
      }
      Harness.await(
          "both user transactions", Duration.ofSeconds(20), () -> h.consumer.commits().size() >= 2);
      // Heartbeats keep being written while nothing is acknowledged.
      Thread.sleep(1500);
      assertThat(h.consumer.received)
          .extracting(ChangeEnvelope::kind)
          .containsExactly(
              ChangeEnvelope.Kind.BEGIN,
              ChangeEnvelope.Kind.MESSAGE,
              ChangeEnvelope.Kind.INSERT,
              ChangeEnvelope.Kind.COMMIT,
              ChangeEnvelope.Kind.BEGIN,
              ChangeEnvelope.Kind.MESSAGE,
              ChangeEnvelope.Kind.MESSAGE,
              ChangeEnvelope.Kind.COMMIT);
      Lsn firstCommit = h.consumer.commits().get(0).commitLsn();
      assertThat(confirmedFlush(pg, "hb_user"))
          .as("never past the unacknowledged user transaction")
          .isGreaterThanOrEqualTo(before)
          .isLessThanOrEqualTo(firstCommit);
      assertThat(h.control.progress().unacknowledgedUnits()).isEqualTo(2);
    }
  }
}
