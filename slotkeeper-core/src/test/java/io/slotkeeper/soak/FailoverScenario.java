package io.slotkeeper.soak;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ConnectedServer;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.postgres.StopMode;
import io.slotkeeper.testkit.WriteLoad;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 13: a failover slot (17+) through a real promotion, checked by the correctness soak's
 * checker. A primary with {@code synchronized_standby_slots} naming its standby's physical slot;
 * the standby with {@code sync_replication_slots}, {@code hot_standby_feedback} and a {@code
 * dbname} in its {@code primary_conninfo}. The source connects with a multi-host URL ({@code
 * targetServerType=primary}) and creates its slot with {@code slot.failover = on}; the oracle is a
 * test_decoding failover slot created right after it, so the promoted server has the truth too.
 *
 * <p>A write load runs while the consumer acknowledges (now and then a batch late); once both slots
 * are synchronized on the standby, the primary is stopped immediately in the middle of the load and
 * the standby promoted; then more is written on the new primary. The source must reconnect there by
 * itself, announce no RESYNC_REQUIRED, and deliver every transaction the new primary has, in order,
 * none twice within the process, and every row of the new primary's tables. Then the consumer
 * process crashes and starts again on the new primary: it must get exactly what the slot there had
 * not confirmed, which covers everything it never acknowledged (the checker's checks 1-3 over the
 * two consumer lives).
 */
final class FailoverScenario implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FailoverScenario.class);
  static final String SLOT = "fo_slot";
  static final String ORACLE = "fo_oracle";
  static final String PUBLICATION = "fo_pub";
  static final List<String> TABLES = List.of("fo_a", "fo_b");

  private final PostgresServer primary;
  private final PostgresServer standby;

  private FailoverScenario(PostgresServer primary, PostgresServer standby) {
    this.primary = primary;
    this.standby = standby;
  }

  static FailoverScenario start(int version) {
    PostgresServer primary = PostgresServer.builder().version(version).start();
    try {
      for (String t : TABLES) {
        primary.execute("CREATE TABLE " + t + " (id text PRIMARY KEY)");
      }
      primary.execute(
          "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + String.join(", ", TABLES));
      PostgresServer standby =
          primary.startStandby(
              Map.of("hot_standby_feedback", "on", "sync_replication_slots", "on"));
      // The primary sends a failover slot's consumer only WAL this standby has flushed: whatever
      // the consumer saw, the promoted standby has.
      primary.setSetting("synchronized_standby_slots", standby.upstreamSlot());
      return new FailoverScenario(primary, standby);
    } catch (RuntimeException e) {
      primary.close();
      throw e;
    }
  }

  private SourceSettings settings() {
    return SourceSettings.create(com.typesafe.config.ConfigFactory.empty())
        .withUrl(
            "jdbc:postgresql://"
                + primary.host()
                + ":"
                + primary.port()
                + ","
                + standby.host()
                + ":"
                + standby.port()
                + "/postgres?targetServerType=primary")
        .withUser(primary.superuser())
        .withPassword(primary.superuserPassword())
        .withSlotName(SLOT)
        .withCreateSlotIfMissing(true)
        .withFailoverSlot(true)
        .withPublications(PUBLICATION)
        .withConnectTimeout(Duration.ofSeconds(5))
        .withRestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);
  }

  void run() throws Exception {
    AckLog acks = new AckLog();
    SoakConsumer consumer = new SoakConsumer(1, acks, true, new Random(13));
    Incarnation life = Incarnation.start(1, Lsn.INVALID, settings(), consumer);
    boolean ended = false;
    try {
      life.control()
          .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(60))
          .toCompletableFuture()
          .get(70, TimeUnit.SECONDS);
      assertThat(
              primary.queryString(
                  "SELECT failover::text FROM pg_replication_slots WHERE slot_name = '"
                      + SLOT
                      + "'"))
          .as("slot.failover = on creates a failover slot")
          .isEqualTo("true");
      Lsn startConfirmed = SlotState.confirmed(primary, SLOT);
      primary.execute(
          "SELECT pg_create_logical_replication_slot('"
              + ORACLE
              + "', 'test_decoding', false, false, true)");
      await("the oracle slot to be synchronized on the standby", () -> synced(ORACLE));

      WriteLoad load = WriteLoad.start(primary, TABLES, 3, 5);
      Thread.sleep(2_000);
      Lsn target = SlotState.confirmed(primary, SLOT);
      await(
          "the engine's slot to be synchronized on the standby up to " + target,
          () -> synced(SLOT) && !SlotState.confirmed(standby, SLOT).isBefore(target));
      Thread.sleep(500);
      primary.stop(StopMode.IMMEDIATE);
      load.close();
      int deliveredAtStop = consumer.delivered().size();
      Lsn syncedAtStop = SlotState.confirmed(standby, SLOT);
      standby.promote();
      LOG.info(
          "failover: {} units delivered when the primary stopped ({} transactions written); the"
              + " synchronized slot stood at {}",
          deliveredAtStop,
          load.transactions(),
          syncedAtStop);

      for (int i = 1; i <= 5; i++) {
        standby.execute("INSERT INTO fo_a VALUES ('after:" + i + "')");
      }
      await(
          "the rows written on the promoted standby to be delivered",
          () -> deliveredIds(consumer).contains("after:5"));
      assertThat(life.control().progress().server())
          .as("the source is on the promoted standby, a primary on the next timeline")
          .contains(
              new ConnectedServer(
                  standby.host(),
                  standby.port(),
                  standby.systemIdentifier(),
                  standby.timeline(),
                  false));
      // Then the consumer process dies on the new primary and starts again: it must get again what
      // it had not acknowledged (also from before the failover), and nothing it had.
      life.crash();
      ended = true;
      SlotState.awaitInactive(standby, SLOT, Duration.ofSeconds(30));
      Lsn secondStart = SlotState.confirmed(standby, SLOT);
      SoakConsumer second = new SoakConsumer(2, acks, true, new Random(14));
      Incarnation secondLife = Incarnation.start(2, secondStart, settings(), second);
      try {
        secondLife
            .control()
            .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(60))
            .toCompletableFuture()
            .get(70, TimeUnit.SECONDS);
        standby.execute("INSERT INTO fo_b VALUES ('restarted')");
        await(
            "the row written after the restart", () -> deliveredIds(second).contains("restarted"));
      } finally {
        secondLife.drainAndShutdown(Duration.ofSeconds(30));
      }

      List<Unit> oracle = Oracle.read(standby, ORACLE, false);
      Checker checker = new Checker(oracle);
      checker.checkDeliveries(
          List.of(
              new Checker.Life(1, startConfirmed, consumer.delivered()),
              new Checker.Life(2, secondStart, second.delivered())),
          acks);
      checker.anomalies(consumer.anomalies());
      checker.anomalies(second.anomalies());
      LOG.info(
          "failover check: {} oracle units, {} delivered before the restart, {} after it (from {}),"
              + " {} redelivered; {}",
          oracle.size(),
          consumer.delivered().size(),
          second.delivered().size(),
          secondStart,
          checker.redelivered,
          checker.report());
      assertThat(checker.failures).as(checker.report()).isEmpty();
      assertThat(oracle.size()).as("the load wrote across the failover").isGreaterThan(20);

      // Independently of the oracle: every row the new primary holds was delivered.
      Set<String> rows = new HashSet<>();
      for (String t : TABLES) {
        for (String id : standby.queryColumn("SELECT id FROM " + t)) {
          rows.add(id);
        }
      }
      Set<String> delivered = deliveredIds(consumer);
      delivered.addAll(deliveredIds(second));
      assertThat(delivered).containsAll(rows);
    } finally {
      if (!ended) {
        life.drainAndShutdown(Duration.ofSeconds(30));
      }
    }
  }

  private boolean synced(String slot) {
    return standby.queryLong(
            "SELECT count(*) FROM pg_replication_slots WHERE synced AND slot_name = '" + slot + "'")
        == 1;
  }

  /** The id of every insert delivered, from the canonical change texts. */
  private static Set<String> deliveredIds(SoakConsumer consumer) {
    Set<String> ids = new HashSet<>();
    for (Unit u : consumer.delivered()) {
      for (String change : u.changes()) {
        String[] parts = change.split(" ");
        if (parts.length == 3 && parts[0].equals("INSERT") && parts[2].startsWith("id=")) {
          ids.add(parts[2].substring(3));
        }
      }
    }
    return ids;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  @Override
  public void close() {
    standby.close();
    primary.close();
  }
}
