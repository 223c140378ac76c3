package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: on PostgreSQL 16, the first version with logical decoding on a standby,
 * pg_replication_slots has no invalidation_reason; a slot invalidated by a recovery conflict shows
 * only {@code conflicting = true}. The source must still take the invalidation path and say it was
 * a recovery conflict ({@code rows_removed} provoked as in {@link StandbyFeedbackIT}).
 */
class StandbyConflictPg16IT extends ActorSystemPerClass {

  private static PostgresServer primary;
  private static PostgresServer standby;

  @BeforeAll
  static void servers() {
    primary = PostgresServer.builder().version(16).start();
    primary.execute("CREATE TABLE c16_t (id text PRIMARY KEY)");
    primary.execute("CREATE PUBLICATION c16_pub FOR TABLE c16_t");
    standby = primary.startStandby(Map.of("hot_standby_feedback", "on"));
  }

  @AfterAll
  static void stopServers() {
    if (standby != null) {
      standby.close();
    }
    if (primary != null) {
      primary.close();
    }
  }

  @Test
  void aSlotInvalidatedByARecoveryConflictOn16TakesTheInvalidationPath() throws Exception {
    try (Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(standby, "c16_slot", "c16_pub")
                .withCreateSlotIfMissing(true)
                .withPrimary(primary.jdbcUrl(), primary.superuser(), primary.superuserPassword())
                .withHealInterval(Duration.ofMillis(300)))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      primary.execute("INSERT INTO c16_t VALUES ('before')");
      Harness.await(
          "the first row",
          Duration.ofSeconds(20),
          () -> h.consumer.insertedIds().contains("before"));

      standby.setSetting("hot_standby_feedback", "off");
      String physical = standby.upstreamSlot();
      Harness.await(
          "the primary's physical slot to drop the standby's xmin",
          Duration.ofSeconds(30),
          () ->
              primary.queryLong(
                      "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                          + physical
                          + "' AND xmin IS NULL AND catalog_xmin IS NULL")
                  == 1);
      primary.execute("CREATE TABLE c16_conflict_t (x integer, y text)");
      primary.execute("DROP TABLE c16_conflict_t");
      primary.execute("VACUUM pg_class");
      primary.execute("INSERT INTO c16_t VALUES ('flush')");
      Harness.await(
          "the standby's slot to conflict with recovery",
          Duration.ofSeconds(30),
          () ->
              standby.queryLong(
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
      standby.setSetting("hot_standby_feedback", "on");
    }
  }
}
