package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.HeldTransaction;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, item 6: slot creation (which can wait for minutes) and the admin queries must not take
 * the threads the streaming connections need for their keepalives. With a connection dispatcher of
 * only two threads, two sources blocked in creation and one streaming source at wal_sender_timeout
 * = 3s, the streaming source keeps its walsender for more than three wal_sender_timeouts: same
 * walsender PID, no reconnect, no replication timeout in the server log.
 */
class BlockingWorkIT {
  private static final Duration WAL_SENDER_TIMEOUT = Duration.ofSeconds(3);
  private static final String REPLICATION_TIMEOUT =
      "terminating walsender process due to replication timeout";

  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .setting("wal_sender_timeout", WAL_SENDER_TIMEOUT.toSeconds() + "s")
          .build();

  private static ActorTestKit kit;

  @BeforeAll
  static void startKit() {
    kit =
        ActorTestKit.create(
            "blocking-work",
            ConfigFactory.parseString(
                    "slotkeeper.connection-dispatcher.thread-pool-executor.fixed-pool-size = 2")
                .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopKit() {
    kit.shutdownTestKit();
  }

  @Test
  void creationsInProgressDoNotStarveAStreamingSourcesKeepalives() throws Exception {
    PostgresServer pg = PG.server();
    List<String> tables = FaultFixtures.create(pg, "blk", 1);
    String table = tables.get(0);
    SourceSettings streaming = Harness.settings(pg, "blk_slot", "blk_pub");
    SourceSettings creating =
        Harness.settings(pg, "unused", "blk_pub")
            .withCreateSlotIfMissing(true)
            .withHealInterval(Duration.ofMillis(300));

    try (Harness s = Harness.start(kit.system(), streaming)) {
      s.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      int walsender = pg.waitForActiveWalsender("blk_slot", Duration.ofSeconds(10));

      try (HeldTransaction blocker = pg.holdOpenTransaction();
          Harness a = Harness.start(kit.system(), creating.withSlotName("blk_new_a"));
          Harness b = Harness.start(kit.system(), creating.withSlotName("blk_new_b"))) {
        Harness.await(
            "both creations to wait for the blocker",
            Duration.ofSeconds(30),
            () ->
                pg.queryLong(
                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name IN ('blk_new_a', 'blk_new_b') AND active")
                    == 2);

        long until =
            System.nanoTime() + WAL_SENDER_TIMEOUT.multipliedBy(3).plusSeconds(1).toNanos();
        int row = 0;
        while (System.nanoTime() < until) {
          String id = "during-creation-" + row++;
          pg.execute("INSERT INTO " + table + " (id) VALUES ('" + id + "')");
          Harness.await(
              id + " to be streamed while the creations wait",
              Duration.ofSeconds(10),
              () -> s.consumer.insertedIds().contains(id));
          Thread.sleep(500);
        }
        assertThat(
                pg.queryLong(
                    "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'blk_slot'"))
            .as("the streaming source kept its walsender")
            .isEqualTo(walsender);
        assertThat(s.control.progress().reconnects())
            .as("the streaming source never reconnected")
            .isZero();
        assertThat(pg.serverLog()).doesNotContain(REPLICATION_TIMEOUT);
        assertThat(a.control.progress().healAttempts())
            .as("the admin work still runs")
            .isPositive();
        assertThat(b.control.progress().healAttempts())
            .as("the admin work still runs")
            .isPositive();

        blocker.commit();
        a.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        b.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        assertThat(a.control.progress().reconnects() + b.control.progress().reconnects()).isZero();
      }
      assertThat(
              pg.queryLong(
                  "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'blk_slot'"))
          .isEqualTo(walsender);
    }
  }

  /**
   * The connection actor's mailbox stays free while its creation waits, so a shutdown is handled at
   * once instead of after the creation (or the socket timeout) ends, and the abandoned creation
   * does not go on without us.
   */
  @Test
  void aShutdownDuringABlockedCreationIsPrompt() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE blk_quick_t (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION blk_quick_pub FOR TABLE blk_quick_t");
    SourceSettings settings =
        Harness.settings(pg, "blk_quick_slot", "blk_quick_pub").withCreateSlotIfMissing(true);
    try (HeldTransaction blocker = pg.holdOpenTransaction()) {
      Harness h = Harness.start(kit.system(), settings);
      Harness.await(
          "the creation to wait for the blocker",
          Duration.ofSeconds(30),
          () ->
              pg.queryLong(
                      "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'blk_quick_slot' AND active")
                  == 1);
      long start = System.nanoTime();
      h.control.shutdown().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).as("shutdown while creation waits").isLessThan(Duration.ofSeconds(5));
      // Our walsender would otherwise wait on and create the slot once the blocker ends: a slot
      // nobody consumes, retaining WAL.
      Harness.await(
          "the abandoned creation's walsender to be ended",
          Duration.ofSeconds(10),
          () ->
              pg.queryLong(
                      "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'blk_quick_slot'")
                  == 0);
      blocker.rollback();
      Thread.sleep(500);
      assertThat(
              pg.queryLong(
                  "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'blk_quick_slot'"))
          .as("no slot left behind")
          .isZero();
    }
  }
}
