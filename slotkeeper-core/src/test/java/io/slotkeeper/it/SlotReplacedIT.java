package io.slotkeeper.it;

import static io.slotkeeper.it.Harness.indexOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.HeldTransaction;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TcpProxy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, item 4: every start on a slot this source did not have before emits exactly one
 * RESYNC_REQUIRED (the very first creation by this source excepted): a slot someone else dropped
 * and create-if-missing re-created, and an invalidated slot whose re-creation failed once after the
 * drop.
 */
class SlotReplacedIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .walSegmentSizeMb(1)
          .setting("max_slot_wal_keep_size", "2MB")
          .setting("wal_sender_timeout", "3s")
          .build();

  private static long resyncs(Harness h) {
    return h.consumer.received.stream().filter(e -> e.kind() == Kind.RESYNC_REQUIRED).count();
  }

  /**
   * Terminates the slot's walsender and drops the slot, retrying while the source grabs it back.
   */
  static void dropUnderTheSource(PostgresServer pg, String slot) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        pg.execute(
            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                + " WHERE slot_name = '"
                + slot
                + "' AND active_pid IS NOT NULL");
        pg.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(10);
      }
    }
  }

  @Test
  void aSlotDroppedUnderTheSourceIsRecreatedAndAnnouncedOnce() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE gone_t (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION gone_pub FOR TABLE gone_t");
    SourceSettings settings =
        Harness.settings(pg, "gone_slot", "gone_pub").withCreateSlotIfMissing(true);
    try (Harness h = Harness.start(kit.system(), settings)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute("INSERT INTO gone_t VALUES ('before')");
      Harness.await(
          "the first row",
          Duration.ofSeconds(10),
          () -> h.consumer.insertedIds().contains("before"));
      assertThat(resyncs(h)).as("no RESYNC_REQUIRED for the source's first creation").isZero();

      dropUnderTheSource(pg, "gone_slot");
      Harness.await("the RESYNC_REQUIRED element", Duration.ofSeconds(30), () -> resyncs(h) > 0);
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute("INSERT INTO gone_t VALUES ('after')");
      Harness.await(
          "the row after re-creation",
          Duration.ofSeconds(10),
          () -> h.consumer.insertedIds().contains("after"));
      // Any further reconnect on the same (new) slot must not announce it again.
      long reconnects = h.control.progress().reconnects();
      pg.terminateWalsender("gone_slot");
      Harness.await(
          "a reconnect",
          Duration.ofSeconds(10),
          () -> h.control.progress().reconnects() > reconnects);
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute("INSERT INTO gone_t VALUES ('later')");
      Harness.await(
          "a row after a plain reconnect",
          Duration.ofSeconds(10),
          () -> h.consumer.insertedIds().contains("later"));

      List<ChangeEnvelope> got = h.consumer.received;
      assertThat(resyncs(h)).as("exactly one RESYNC_REQUIRED").isEqualTo(1);
      assertThat(indexOf(got, null))
          .isGreaterThan(indexOf(got, "before"))
          .isLessThan(indexOf(got, "after"));
      assertThat(got.get(indexOf(got, null)).resync())
          .hasValueSatisfying(
              r -> {
                assertThat(r.slotName()).isEqualTo("gone_slot");
                assertThat(r.reason()).contains("missing");
              });
    }
  }

  /**
   * Someone drops and re-creates the slot while the source is away (the path is down): on return
   * the slot exists under the same name, but it is not the one the source had; it starts past
   * anything the source confirmed.
   */
  @Test
  void aSlotReplacedBySomeoneElseWhileTheSourceWasAwayIsAnnounced() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE swap_t (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION swap_pub FOR TABLE swap_t");
    pg.execute("SELECT pg_create_logical_replication_slot('swap_slot', 'pgoutput')");
    try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
      SourceSettings settings =
          Harness.settings(pg, "swap_slot", "swap_pub")
              .withUrl("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/postgres");
      try (Harness h = Harness.start(kit.system(), settings)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        pg.execute("INSERT INTO swap_t VALUES ('before')");
        Harness.await(
            "the first row",
            Duration.ofSeconds(10),
            () -> h.consumer.insertedIds().contains("before"));

        proxy.refuse(true);
        proxy.cutAll();
        dropUnderTheSource(pg, "swap_slot");
        pg.execute("INSERT INTO swap_t VALUES ('lost-in-the-gap')");
        pg.execute("SELECT pg_create_logical_replication_slot('swap_slot', 'pgoutput')");
        proxy.refuse(false);

        Harness.await("the RESYNC_REQUIRED element", Duration.ofSeconds(30), () -> resyncs(h) > 0);
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        pg.execute("INSERT INTO swap_t VALUES ('after')");
        Harness.await(
            "the row after the swap",
            Duration.ofSeconds(10),
            () -> h.consumer.insertedIds().contains("after"));
        List<ChangeEnvelope> got = h.consumer.received;
        assertThat(resyncs(h)).as("exactly one RESYNC_REQUIRED").isEqualTo(1);
        assertThat(indexOf(got, null))
            .isGreaterThan(indexOf(got, "before"))
            .isLessThan(indexOf(got, "after"));
        assertThat(got.get(indexOf(got, null)).resync())
            .hasValueSatisfying(
                r -> assertThat(r.reason()).contains("ahead of anything this source confirmed"));
      }
    }
  }

  @Test
  void anInvalidatedSlotWhoseRecreationFailedOnceIsStillAnnounced() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE redo_t (id int PRIMARY KEY, pad text)");
    pg.execute("CREATE PUBLICATION redo_pub FOR TABLE redo_t");
    pg.execute("SELECT pg_create_logical_replication_slot('redo_slot', 'pgoutput')");
    SourceSettings settings =
        Harness.settings(pg, "redo_slot", "redo_pub")
            .withOnInvalidated(SlotSettings.OnInvalidated.RECREATE);
    try (Harness h = Harness.start(kit.system(), settings)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute("INSERT INTO redo_t VALUES (0, 'before')");
      Harness.await(
          "the first row", Duration.ofSeconds(10), () -> h.consumer.insertedIds().contains("0"));
      h.consumer.stall();
      // A running transaction holds the re-creation (the snapshot builder waits for it) after the
      // drop.
      try (HeldTransaction blocker = pg.holdOpenTransaction()) {
        invalidate(pg);
        // The source dropped the lost slot and now waits in CREATE_REPLICATION_SLOT: make that
        // fail.
        Harness.await(
            "the re-creation to wait for the open transaction",
            Duration.ofSeconds(30),
            () ->
                pg.queryLong(
                        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender'"
                            + " AND wait_event = 'transactionid'")
                    > 0);
        assertThat(
                pg.queryLong(
                    "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'redo_slot'"
                        + " AND wal_status = 'lost'"))
            .as("the lost slot was dropped")
            .isZero();
        pg.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'walsender'"
                + " AND wait_event = 'transactionid'");
      }
      h.consumer.resume();
      Harness.await("the RESYNC_REQUIRED element", Duration.ofSeconds(60), () -> resyncs(h) > 0);
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute("INSERT INTO redo_t VALUES (-1, 'after')");
      Harness.await(
          "the row after re-creation",
          Duration.ofSeconds(10),
          () -> h.consumer.insertedIds().contains("-1"));

      List<ChangeEnvelope> got = h.consumer.received;
      assertThat(resyncs(h)).as("exactly one RESYNC_REQUIRED").isEqualTo(1);
      assertThat(indexOf(got, null)).isLessThan(indexOf(got, "-1"));
      assertThat(got.get(indexOf(got, null)).resync())
          .hasValueSatisfying(r -> assertThat(r.reason()).contains("invalidated"));
    }
  }

  /**
   * Writes well past max_slot_wal_keep_size and checkpoints until the slot is lost (or the source,
   * quicker than this loop, already dropped it and is re-creating it).
   */
  private static void invalidate(PostgresServer pg) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int base = 1000;
    while (pg.queryLong(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'redo_slot'"
                    + " AND wal_status = 'lost'")
            == 0
        && pg.queryLong(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender'"
                    + " AND wait_event = 'transactionid'")
            == 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the slot was not invalidated");
      }
      pg.execute(
          "INSERT INTO redo_t SELECT g, repeat(md5(g::text), 30) FROM generate_series("
              + base
              + ", "
              + (base + 999)
              + ") g");
      base += 1000;
      pg.execute("SELECT pg_switch_wal()");
      pg.execute("CHECKPOINT");
      Thread.sleep(200);
    }
  }
}
