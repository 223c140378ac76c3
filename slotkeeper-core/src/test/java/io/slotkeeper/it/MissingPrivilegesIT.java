package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.FailureKind;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.admin.AdminActor;
import io.slotkeeper.postgres.HeldTransaction;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18, least privilege: a role with {@code LOGIN REPLICATION} and {@code SELECT} on the
 * published tables and nothing else. What it needs works; each optional privilege it lacks
 * (publication creation, {@code pg_read_all_stats}, {@code pg_signal_backend} for ending blockers,
 * {@code pg_log_standby_snapshot}, see {@link SlotCreationHealIT}) gives a message naming that
 * privilege, and the source goes on where it can.
 */
class MissingPrivilegesIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG = PostgresExtension.builder().version(16).build();

  private static final String ROLE = "mp_role";
  private static final String PASSWORD = "mp-Pw-81d2";
  private static final Duration WAIT = Duration.ofSeconds(60);

  @BeforeAll
  static void schema() {
    PostgresServer pg = PG.server();
    pg.createRole(ROLE, PASSWORD, true);
    pg.execute("CREATE TABLE mp_t (id int PRIMARY KEY, v text)");
    pg.execute("INSERT INTO mp_t SELECT g, 'row ' || g FROM generate_series(1, 500) g");
    pg.execute("CREATE PUBLICATION mp_pub FOR TABLE mp_t");
    pg.execute("GRANT SELECT ON mp_t TO " + ROLE);
  }

  private static SourceSettings asRole(String slot, String publication) {
    return Harness.settings(PG.server(), slot, publication)
        .withUser(ROLE)
        .withPassword(PASSWORD)
        .withCreateSlotIfMissing(true)
        .withHealInterval(Duration.ofMillis(300));
  }

  @Test
  void theInitialSnapshotNeedsNothingMore() throws Exception {
    SourceSettings settings =
        asRole("mp_snap_slot", "mp_pub")
            .withSnapshot(SlotSettings.Snapshot.INITIAL)
            .withSnapshotChunkSize(100);
    try (Harness h = Harness.start(kit.system(), settings)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      Harness.await(
          "the 500 snapshot rows",
          WAIT,
          () ->
              h.consumer.received.stream()
                      .filter(e -> e.kind() == ChangeEnvelope.Kind.SNAPSHOT)
                      .count()
                  == 500);
      PG.server().execute("INSERT INTO mp_t VALUES (501, 'after the snapshot')");
      Harness.await(
          "a change after the snapshot", WAIT, () -> h.consumer.insertedIds().contains("501"));
    }
  }

  @Test
  void creatingAPublicationItMayNotCreateNamesTheFix() throws Exception {
    SourceSettings settings =
        asRole("mp_pub_slot", "mp_new_pub")
            .withCreatePublicationIfMissing(true, java.util.List.of("mp_t"));
    Harness h = Harness.start(kit.system(), settings);
    try {
      h.control.waitUntil(StatusLevel.ACTIVE, WAIT).toCompletableFuture().get(70, TimeUnit.SECONDS);
      throw new AssertionError("expected the source to fail");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(SourceFailedException.class);
      SourceFailedException f = (SourceFailedException) e.getCause();
      assertThat(f.kind()).isEqualTo(FailureKind.PRIVILEGE);
      assertThat(f.problem()).contains("mp_new_pub").contains(ROLE);
      assertThat(f.remediation())
          .contains("owner of mp_t")
          .contains("CREATE PUBLICATION \"mp_new_pub\" FOR TABLE mp_t;")
          .contains("create-if-missing");
      assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
    } finally {
      h.close();
    }
  }

  @Test
  void blockersItMayNotSeeOrEndAreNamedWithThePrivilegesThatWouldHelp() throws Exception {
    SourceSettings settings =
        asRole("mp_block_slot", "mp_pub").withTerminateBlockersAfter(Duration.ofSeconds(1));
    try (LogCapture log = new LogCapture(AdminActor.class);
        HeldTransaction blocker = PG.server().holdOpenTransaction();
        Harness h = Harness.start(kit.system(), settings)) {
      Harness.await(
          "the status to name the blocker",
          WAIT,
          () -> h.control.status().reason().contains("PID " + blocker.pid()));
      Harness.await(
          "a warning that the blocker's details are hidden",
          WAIT,
          () -> log.warnings().stream().anyMatch(w -> w.contains("pg_read_all_stats")));
      Harness.await(
          "a warning that the blocker could not be ended",
          WAIT,
          () ->
              log.warnings().stream()
                  .anyMatch(
                      w -> w.contains("pg_signal_backend") && w.contains("PID " + blocker.pid())));
      assertThat(log.warnings())
          .filteredOn(w -> w.contains("pg_read_all_stats"))
          .singleElement()
          .asString()
          .contains("GRANT pg_read_all_stats TO " + ROLE);
      assertThat(log.warnings())
          .filteredOn(w -> w.contains("pg_signal_backend"))
          .first()
          .asString()
          .contains("GRANT pg_signal_backend TO " + ROLE);
      // Still waiting, not crashed: the blocker ending lets creation finish.
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.STARTING);
      blocker.commit();
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      assertThat(h.control.progress().reconnects()).isZero();
    }
  }
}
