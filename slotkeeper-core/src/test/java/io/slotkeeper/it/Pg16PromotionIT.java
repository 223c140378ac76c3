package io.slotkeeper.it;

import static io.slotkeeper.it.Harness.indexOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.ConnectedServer;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.StopMode;
import io.slotkeeper.testkit.WriteLoad;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13: a promotion on PostgreSQL 16, which has no failover slots, so the source's slot stays
 * behind on the dead primary. A source with a multi-host URL reconnects to the promoted standby and
 * must never continue there as if nothing happened: with create-if-missing it creates the slot anew
 * and announces RESYNC_REQUIRED saying that the slot did not survive the failover; without it it
 * ends FAILED saying the same and naming the fix.
 */
class Pg16PromotionIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PrimaryAndStandby SERVERS =
      PrimaryAndStandby.version(16).table("p16_t", "text", "p16_pub").build();

  private static SourceSettings settings(String slot) {
    return Harness.settings(SERVERS.primary(), slot, "p16_pub")
        .withUrl(
            "jdbc:postgresql://"
                + SERVERS.primary().host()
                + ":"
                + SERVERS.primary().port()
                + ","
                + SERVERS.standby().host()
                + ":"
                + SERVERS.standby().port()
                + "/postgres?targetServerType=primary")
        .withConnectTimeout(Duration.ofSeconds(5));
  }

  @Test
  void aSlotThatDidNotSurviveThePromotionIsAnnouncedOrFailsNeverAGap() throws Exception {
    SERVERS.primary().execute("SELECT pg_create_logical_replication_slot('p16_kept', 'pgoutput')");
    try (Harness recreating =
            Harness.start(kit.system(), settings("p16_recreated").withCreateSlotIfMissing(true));
        Harness strict = Harness.start(kit.system(), settings("p16_kept"))) {
      recreating.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      strict.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      SERVERS.primary().execute("INSERT INTO p16_t VALUES ('before')");
      Harness.await(
          "the first row at both sources",
          Duration.ofSeconds(20),
          () ->
              recreating.consumer.insertedIds().contains("before")
                  && strict.consumer.insertedIds().contains("before"));

      try (WriteLoad load = WriteLoad.start(SERVERS.primary(), List.of("p16_t"), 2, 5)) {
        Thread.sleep(1_000);
        SERVERS.primary().stop(StopMode.IMMEDIATE);
      }
      SERVERS.standby().promote();
      Harness.await(
          "a RESYNC_REQUIRED element",
          Duration.ofSeconds(30),
          () ->
              recreating.consumer.received.stream()
                  .anyMatch(e -> e.kind() == Kind.RESYNC_REQUIRED));
      // Written once the slot exists again: what was written before that is the announced gap.
      SERVERS.standby().execute("INSERT INTO p16_t VALUES ('after')");
      Harness.await(
          "the promoted server's row after the RESYNC_REQUIRED element",
          Duration.ofSeconds(30),
          () -> recreating.consumer.insertedIds().contains("after"));
      List<ChangeEnvelope> got = List.copyOf(recreating.consumer.received);
      List<ChangeEnvelope> resyncs =
          got.stream().filter(e -> e.kind() == Kind.RESYNC_REQUIRED).toList();
      assertThat(resyncs).as("exactly one RESYNC_REQUIRED").hasSize(1);
      ResyncRequired resync = resyncs.get(0).resync().orElseThrow();
      assertThat(resync.reason())
          .contains("p16_recreated")
          .contains("did not survive the failover")
          .contains("timeline 2");
      assertThat(got.indexOf(resyncs.get(0)))
          .as("announced before anything of the new slot")
          .isLessThan(indexOf(got, "after"));
      assertThat(recreating.control.progress().server())
          .contains(
              new ConnectedServer(
                  SERVERS.standby().host(),
                  SERVERS.standby().port(),
                  SERVERS.standby().systemIdentifier(),
                  SERVERS.standby().timeline(),
                  false));

      strict.awaitLevel(StatusLevel.FAILED, Duration.ofSeconds(30));
      assertThat(strict.control.status().reason())
          .contains("p16_kept")
          .contains("did not survive the failover")
          .contains("create-if-missing");
      assertThat(strict.consumer.insertedIds()).doesNotContain("after");
    }
  }
}
