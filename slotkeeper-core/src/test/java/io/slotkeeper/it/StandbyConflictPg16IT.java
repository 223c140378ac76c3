package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13: on PostgreSQL 16, the first version with logical decoding on a standby,
 * pg_replication_slots has no invalidation_reason; a slot invalidated by a recovery conflict shows
 * only {@code conflicting = true}. The source must still take the invalidation path and say it was
 * a recovery conflict ({@code rows_removed} provoked as in {@link StandbyFeedbackIT}).
 */
class StandbyConflictPg16IT extends ActorSystemPerClass {
  @RegisterExtension
  static final PrimaryAndStandby SERVERS =
      PrimaryAndStandby.version(16).table("c16_t", "text", "c16_pub").build();

  @Test
  void aSlotInvalidatedByARecoveryConflictOn16TakesTheInvalidationPath() throws Exception {
    try (Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(SERVERS.standby(), "c16_slot", "c16_pub")
                .withCreateSlotIfMissing(true)
                .withPrimary(
                    SERVERS.primary().jdbcUrl(),
                    SERVERS.primary().superuser(),
                    SERVERS.primary().superuserPassword())
                .withHealInterval(Duration.ofMillis(300)))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      SERVERS.primary().execute("INSERT INTO c16_t VALUES ('before')");
      Harness.await(
          "the first row",
          Duration.ofSeconds(20),
          () -> h.consumer.insertedIds().contains("before"));

      SERVERS.standby().setSetting("hot_standby_feedback", "off");
      String physical = SERVERS.standby().upstreamSlot();
      Harness.await(
          "the primary's physical slot to drop the standby's xmin",
          Duration.ofSeconds(30),
          () ->
              SERVERS
                      .primary()
                      .queryLong(
                          "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                              + physical
                              + "' AND xmin IS NULL AND catalog_xmin IS NULL")
                  == 1);
      SERVERS.primary().execute("CREATE TABLE c16_conflict_t (x integer, y text)");
      SERVERS.primary().execute("DROP TABLE c16_conflict_t");
      SERVERS.primary().execute("VACUUM pg_class");
      SERVERS.primary().execute("INSERT INTO c16_t VALUES ('flush')");
      Harness.await(
          "the standby's slot to conflict with recovery",
          Duration.ofSeconds(30),
          () ->
              SERVERS
                      .standby()
                      .queryLong(
                          "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'c16_slot'"
                              + " AND conflicting")
                  == 1);

      h.awaitLevel(StatusLevel.FAILED, Duration.ofSeconds(30));
      assertThat(h.control.status().reason()).contains("invalidated").contains("recovery conflict");
      try {
        h.done.toCompletableFuture().get(30, TimeUnit.SECONDS);
        throw new AssertionError("the stream should fail");
      } catch (ExecutionException e) {
        SourceFailedException f = (SourceFailedException) e.getCause();
        assertThat(f.kind()).isEqualTo(FailureKind.SLOT_INVALIDATED);
      }
    } finally {
      SERVERS.standby().setSetting("hot_standby_feedback", "on");
    }
  }
}
