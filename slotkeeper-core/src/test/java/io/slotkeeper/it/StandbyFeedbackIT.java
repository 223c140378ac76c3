package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13: a logical source on a PostgreSQL 17 standby needs {@code hot_standby_feedback}: without
 * it the primary's VACUUM removes catalog rows the standby's slot still needs, and replaying that
 * invalidates the slot (a recovery conflict, {@code rows_removed}). A standby with the setting off
 * ends the source FAILED naming it; a slot invalidated that way takes the invalidation path with
 * the server's reason.
 */
class StandbyFeedbackIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PrimaryAndStandby SERVERS =
      PrimaryAndStandby.version(17).table("fb_t", "text", "fb_pub").build();

  private static SourceSettings settings(String slot) {
    return Harness.settings(SERVERS.standby(), slot, "fb_pub")
        .withCreateSlotIfMissing(true)
        .withPrimary(
            SERVERS.primary().jdbcUrl(),
            SERVERS.primary().superuser(),
            SERVERS.primary().superuserPassword())
        .withHealInterval(Duration.ofMillis(300));
  }

  /** Sets the standby's feedback and waits until the primary's physical slot shows it. */
  private static void feedback(boolean on) throws InterruptedException {
    SERVERS.standby().setSetting("hot_standby_feedback", on ? "on" : "off");
    String slot = SERVERS.standby().upstreamSlot();
    Harness.await(
        "the primary's physical slot to " + (on ? "hold" : "drop") + " the standby's xmin",
        Duration.ofSeconds(30),
        () ->
            SERVERS
                    .primary()
                    .queryLong(
                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                            + slot
                            + "' AND (xmin IS NOT NULL OR catalog_xmin IS NOT NULL) = "
                            + on)
                == 1);
  }

  @Test
  void aStandbyWithoutHotStandbyFeedbackEndsFailedNamingTheSetting() throws Exception {
    feedback(false);
    try (Harness h = Harness.start(kit.system(), settings("fb_off"))) {
      h.awaitLevel(StatusLevel.FAILED, Duration.ofSeconds(30));
      assertThat(h.control.status().reason()).contains("hot_standby_feedback");
      try {
        h.done.toCompletableFuture().get(30, TimeUnit.SECONDS);
        throw new AssertionError("the stream should fail");
      } catch (ExecutionException e) {
        SourceFailedException f = (SourceFailedException) e.getCause();
        assertThat(f.kind()).isEqualTo(FailureKind.CONFIGURATION);
        assertThat(f.remediation()).contains("hot_standby_feedback = on");
      }
    } finally {
      feedback(true);
    }
  }

  @Test
  void aPrimaryRestartedBelowLogicalInvalidatesTheStandbysSlotWithThatReason() throws Exception {
    feedback(true);
    try (Harness h = Harness.start(kit.system(), settings("fb_level"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      SERVERS.primary().execute("INSERT INTO fb_t VALUES ('before-level')");
      Harness.await(
          "the first row",
          Duration.ofSeconds(20),
          () -> h.consumer.insertedIds().contains("before-level"));
      // The primary holds no logical slot (they are on the standby), so it starts at replica; the
      // standby replays the parameter change and invalidates its logical slots.
      SERVERS.primary().restartWith(Map.of("wal_level", "replica"));
      Harness.await(
          "the standby's slot to be invalidated for the primary's wal_level",
          Duration.ofSeconds(30),
          () ->
              SERVERS
                      .standby()
                      .queryLong(
                          "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'fb_level'"
                              + " AND invalidation_reason = 'wal_level_insufficient'")
                  == 1);
      h.awaitLevel(StatusLevel.FAILED, Duration.ofSeconds(30));
      assertThat(h.control.status().reason())
          .contains("invalidated")
          .contains("invalidation_reason = wal_level_insufficient")
          .contains("wal_level went below logical");
    } finally {
      SERVERS.primary().restartWith(Map.of("wal_level", "logical"));
      feedback(true);
    }
  }

  @Test
  void aSlotInvalidatedByARecoveryConflictTakesTheInvalidationPathWithItsReason() throws Exception {
    feedback(true);
    try (Harness h = Harness.start(kit.system(), settings("fb_conflict"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      SERVERS.primary().execute("INSERT INTO fb_t VALUES ('before')");
      Harness.await(
          "the first row",
          Duration.ofSeconds(20),
          () -> h.consumer.insertedIds().contains("before"));

      // What PostgreSQL's own test (035_standby_logical_decoding) does: feedback off, then catalog
      // rows made dead and vacuumed on the primary; replaying the cleanup conflicts with the slot.
      feedback(false);
      SERVERS.primary().execute("CREATE TABLE fb_conflict_t (x integer, y text)");
      SERVERS.primary().execute("DROP TABLE fb_conflict_t");
      SERVERS.primary().execute("VACUUM pg_class");
      SERVERS.primary().execute("INSERT INTO fb_t VALUES ('flush')");
      Harness.await(
          "the standby's slot to be invalidated by the recovery conflict",
          Duration.ofSeconds(30),
          () ->
              SERVERS
                      .standby()
                      .queryLong(
                          "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'fb_conflict'"
                              + " AND invalidation_reason = 'rows_removed'")
                  == 1);

      h.awaitLevel(StatusLevel.FAILED, Duration.ofSeconds(30));
      String reason = h.control.status().reason();
      assertThat(reason)
          .contains("invalidated")
          .contains("invalidation_reason = rows_removed")
          .contains("hot_standby_feedback");
      try {
        h.done.toCompletableFuture().get(30, TimeUnit.SECONDS);
        throw new AssertionError("the stream should fail");
      } catch (ExecutionException e) {
        SourceFailedException f = (SourceFailedException) e.getCause();
        assertThat(f.kind()).isEqualTo(FailureKind.SLOT_INVALIDATED);
        assertThat(f.remediation()).contains("on-invalidated = recreate");
      }
    } finally {
      feedback(true);
    }
  }
}
