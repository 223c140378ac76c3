package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.admin.AdminActor;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 4, test 3: with a small max_slot_wal_keep_size, a stalled consumer lets retained WAL pass
 * the limit; a checkpoint invalidates the slot. Under "fail" the source ends FAILED naming the
 * invalidation; under "recreate" it announces the gap and streams again from a new slot.
 */
class SlotInvalidationIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .walSegmentSizeMb(1)
          .setting("max_slot_wal_keep_size", "2MB")
          .setting("wal_sender_timeout", "3s")
          .build();

  private static void schema(PostgresServer pg, String prefix) {
    pg.execute("CREATE TABLE " + prefix + "_t (id int PRIMARY KEY, pad text)");
    pg.execute("CREATE PUBLICATION " + prefix + "_pub FOR TABLE " + prefix + "_t");
    pg.execute("SELECT pg_create_logical_replication_slot('" + prefix + "_slot', 'pgoutput')");
  }

  /** Writes well past max_slot_wal_keep_size and checkpoints until the slot is lost. */
  private static void invalidate(PostgresServer pg, String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int base = 1000;
    while (!"lost"
        .equals(
            pg.queryString(
                "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '"
                    + prefix
                    + "_slot'"))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the slot was not invalidated");
      }
      pg.execute(
          "INSERT INTO "
              + prefix
              + "_t SELECT g, repeat(md5(g::text), 30) FROM generate_series("
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

  @Test
  void failPolicyEndsFailedWithTheReason() throws Exception {
    PostgresServer pg = PG.server();
    schema(pg, "inv_fail");
    // Idle advance off: the slot moves only with acknowledgements, so the position read below is
    // the one the failure must name (with it on, keepalives of the server decoding the big
    // transactions below move it on, and acknowledgements reach the slot within
    // ack.flush-interval).
    SourceSettings settings =
        Harness.settings(pg, "inv_fail_slot", "inv_fail_pub")
            .withIdleAdvance(false)
            .withRetentionCheckInterval(Duration.ofMillis(100))
            .withSafeWalSizeWarningBytes(1_500_000);
    try (LogCapture log = new LogCapture(AdminActor.class);
        Harness h = Harness.start(kit.system(), settings)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      Harness.await(
          "retention figures",
          Duration.ofSeconds(10),
          () -> {
            SourceProgress p = h.control.progress();
            return p.walStatus().equals("reserved")
                && p.safeWalSizeBytes() > 0
                && p.retainedWalBytes() >= 0
                && p.lagBytes() >= 0;
          });
      pg.execute("INSERT INTO inv_fail_t VALUES (1, 'before')");
      Harness.await(
          "the first row", Duration.ofSeconds(10), () -> h.consumer.insertedIds().contains("1"));
      Harness.await("its commit", Duration.ofSeconds(10), () -> !h.consumer.commits().isEmpty());
      h.consumer.stall();
      // Acknowledgements reach the slot within ack.flush-interval: read its position once it holds
      // what the source confirmed, so the position the failure names is the one read here.
      Lsn firstEnd = ((Commit) h.consumer.commits().get(0).message()).endLsn();
      Harness.await(
          "the slot to hold the acknowledged position",
          Duration.ofSeconds(10),
          () -> {
            Lsn slot =
                Lsn.parse(
                    pg.queryString(
                        "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'inv_fail_slot'"));
            return !slot.isBefore(firstEnd) && slot.equals(h.control.progress().confirmedLsn());
          });
      String confirmedBefore =
          pg.queryString(
              "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'inv_fail_slot'");
      invalidate(pg, "inv_fail");
      Harness.await(
          "FAILED", Duration.ofSeconds(60), () -> h.control.status().level() == StatusLevel.FAILED);
      assertThat(log.warnings())
          .as("a retention warning before the loss")
          .anyMatch(w -> w.contains("safe_wal_size") || w.contains("wal_status is now"));
      String reason = h.control.status().reason();
      assertThat(reason)
          .contains("invalidated")
          .contains("wal_status = lost")
          .contains(confirmedBefore)
          .contains("on-invalidated = recreate");
      // No retry loop: the reconnect after the server terminated our walsender (plus, at most, one
      // "slot still active" retry while that walsender exits), then nothing more.
      long reconnectsAtFailure = h.control.progress().reconnects();
      assertThat(reconnectsAtFailure).isBetween(1L, 2L);
      Thread.sleep(2000);
      assertThat(h.control.progress().reconnects()).isEqualTo(reconnectsAtFailure);
      h.consumer.resume();
      try {
        h.done.toCompletableFuture().get(30, TimeUnit.SECONDS);
        throw new AssertionError("the stream should fail");
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(SourceFailedException.class);
        // A program learns what happened and from where to re-sync without reading the message.
        SourceFailedException f = (SourceFailedException) e.getCause();
        assertThat(f.kind()).isEqualTo(FailureKind.SLOT_INVALIDATED);
        assertThat(f.slotConfirmedLsn()).contains(Lsn.parse(confirmedBefore));
        assertThat(f.remediation()).contains("on-invalidated = recreate");
      }
    }
  }

  @Test
  void recreatePolicyAnnouncesTheGapThenStreamsFromANewSlot() throws Exception {
    PostgresServer pg = PG.server();
    schema(pg, "inv_new");
    SourceSettings settings =
        Harness.settings(pg, "inv_new_slot", "inv_new_pub")
            .withOnInvalidated(SlotSettings.OnInvalidated.RECREATE);
    try (Harness h = Harness.start(kit.system(), settings)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      h.consumer.stall();
      invalidate(pg, "inv_new");
      Harness.await(
          "a reconnect", Duration.ofSeconds(30), () -> h.control.progress().reconnects() >= 1);
      h.consumer.resume();
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(60));
      pg.execute("INSERT INTO inv_new_t VALUES (-1, 'after')");
      Harness.await(
          "the row after re-creation",
          Duration.ofSeconds(30),
          () -> h.consumer.insertedIds().contains("-1"));

      List<ChangeEnvelope> got = h.consumer.received;
      int resyncAt = -1;
      for (int i = 0; i < got.size(); i++) {
        if (got.get(i).kind() == Kind.RESYNC_REQUIRED) {
          assertThat(resyncAt).as("one resync").isEqualTo(-1);
          resyncAt = i;
        }
      }
      assertThat(resyncAt).as("a RESYNC_REQUIRED element").isNotNegative();
      ChangeEnvelope resync = got.get(resyncAt);
      assertThat(resync.resync())
          .hasValueSatisfying(r -> assertThat(r.reason()).contains("invalidated"));
      // Everything from the new slot comes after the announcement.
      int after = h.consumer.insertedIds().indexOf("-1");
      int afterEnvelope = -1;
      for (int i = 0; i < got.size(); i++) {
        if (got.get(i).message() instanceof io.slotkeeper.pgoutput.Insert ins
            && "-1".equals(ins.newTuple().get(0).text())) {
          afterEnvelope = i;
        }
      }
      assertThat(after).isNotNegative();
      assertThat(afterEnvelope).isGreaterThan(resyncAt);
      assertThat(
              pg.queryString(
                  "SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'inv_new_slot'"))
          .isNotEqualTo("lost");
    }
  }
}
