package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ConnectedServer;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import io.slotkeeper.postgres.HeldTransaction;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 13 (seed 002 on a standby): a logical source on a physical standby (PostgreSQL 16+,
 * hot_standby_feedback on). Creating its slot waits for a running-transactions record, which only
 * the primary writes, and an idle primary writes none. The scenario of both tests: a transaction
 * running on the primary when creation starts, then committed, then the primary idle.
 *
 * <p>With {@code admin.primary-url} the heal runs {@code pg_log_standby_snapshot()} on the primary
 * and the source is ACTIVE within seconds; without it the status says that creation waits for the
 * primary and names the setting, and the source waits for the primary's background writer (its next
 * record comes within about 15 s of the last write). Both times are logged, not asserted.
 */
class StandbySourceIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PrimaryAndStandby SERVERS =
      PrimaryAndStandby.version(16).table("sb_t", "text", "sb_pub").build();

  private static final Logger LOG = LoggerFactory.getLogger(StandbySourceIT.class);
  private static final String PRIMARY_URL_KEY = SourceSettings.CONFIG_PATH + ".admin.primary-url";

  private static SourceSettings settings(String slot) {
    return Harness.settings(SERVERS.standby(), slot, "sb_pub")
        .withCreateSlotIfMissing(true)
        .withHealInterval(Duration.ofMillis(300));
  }

  @Test
  void healOnThePrimaryMakesTheStandbySourceActiveWithinSeconds() throws Exception {
    SourceSettings settings =
        settings("sb_healed")
            .withPrimary(
                SERVERS.primary().jdbcUrl(),
                SERVERS.primary().superuser(),
                SERVERS.primary().superuserPassword());
    try (HeldTransaction running = SERVERS.primary().holdOpenTransaction();
        Harness h = Harness.start(kit.system(), settings)) {
      Harness.await(
          "creation to wait with heal attempts",
          Duration.ofSeconds(20),
          () -> h.control.progress().healAttempts() >= 2);
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.STARTING);
      long t0 = System.nanoTime();
      running.commit();
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(10));
      LOG.info(
          "standby source, idle primary, WITH the heal on the primary: ACTIVE {} ms after the"
              + " running transaction ended",
          (System.nanoTime() - t0) / 1_000_000);
      assertThat(h.control.progress().healSucceeded()).isPositive();
      assertThat(h.control.progress().reconnects()).as("created without a restart").isZero();
      // The progress names the server: the standby, of the primary's cluster, on its timeline.
      assertThat(h.control.progress().server())
          .contains(
              new ConnectedServer(
                  SERVERS.standby().host(),
                  SERVERS.standby().port(),
                  SERVERS.primary().systemIdentifier(),
                  SERVERS.standby().timeline(),
                  true));

      SERVERS.primary().execute("INSERT INTO sb_t VALUES ('written-on-the-primary')");
      Harness.await(
          "a change written on the primary, streamed from the standby",
          Duration.ofSeconds(20),
          () -> h.consumer.insertedIds().contains("written-on-the-primary"));
    }
  }

  @Test
  void progressNamesAPrimaryAsSuch() throws Exception {
    SERVERS
        .primary()
        .execute("SELECT pg_create_logical_replication_slot('sb_on_primary', 'pgoutput')");
    try (Harness h =
        Harness.start(
            kit.system(), Harness.settings(SERVERS.primary(), "sb_on_primary", "sb_pub"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(20));
      assertThat(h.control.progress().server())
          .contains(
              new ConnectedServer(
                  SERVERS.primary().host(),
                  SERVERS.primary().port(),
                  SERVERS.primary().systemIdentifier(),
                  SERVERS.primary().timeline(),
                  false));
    } finally {
      SERVERS.primary().execute("SELECT pg_drop_replication_slot('sb_on_primary')");
    }
  }

  @Test
  void withoutPrimaryUrlTheStatusSaysCreationWaitsForThePrimary() throws Exception {
    SourceSettings settings = settings("sb_unhealed");
    assertThat(settings.admin().primaryUrl()).isEmpty();
    try (HeldTransaction running = SERVERS.primary().holdOpenTransaction();
        Harness h = Harness.start(kit.system(), settings)) {
      Harness.await(
          "the status to say that creation waits for the primary",
          Duration.ofSeconds(20),
          () ->
              h.control
                  .status()
                  .waiting()
                  .filter(
                      w ->
                          w instanceof Waiting.CreationBlocked c
                              && c.waitsForPrimary()
                              && c.healNeedsSetting().equals(Optional.of(PRIMARY_URL_KEY))
                              && c.heal().attempts() >= 2)
                  .isPresent());
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.STARTING);
      assertThat(h.control.status().reason()).contains("primary").contains(PRIMARY_URL_KEY);
      assertThat(h.control.progress().healFailed())
          .as("nothing was run on the standby, where pg_log_standby_snapshot() cannot run")
          .isZero();

      long t0 = System.nanoTime();
      running.commit();
      Duration patience = Duration.ofSeconds(30);
      try {
        h.awaitLevel(StatusLevel.ACTIVE, patience);
        LOG.info(
            "standby source, idle primary, WITHOUT the heal: ACTIVE {} ms after the running"
                + " transaction ended (the primary's background writer logged its next"
                + " running-transactions record)",
            (System.nanoTime() - t0) / 1_000_000);
      } catch (Exception notYet) {
        LOG.info(
            "standby source, idle primary, WITHOUT the heal: still {} {} after the running"
                + " transaction ended; logging a standby snapshot on the primary by hand",
            h.control.status().level(),
            patience);
        SERVERS.primary().execute("SELECT pg_log_standby_snapshot()");
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(10));
      }
      SERVERS.primary().execute("INSERT INTO sb_t VALUES ('after-the-wait')");
      Harness.await(
          "a change written on the primary, streamed from the standby",
          Duration.ofSeconds(20),
          () -> h.consumer.insertedIds().contains("after-the-wait"));
    }
  }
}
