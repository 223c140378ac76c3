package io.slotkeeper.it;

import static io.slotkeeper.it.SlotQueries.confirmedFlush;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TcpProxy;
import io.slotkeeper.testkit.WriteLoad;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, item 14: an acknowledged position reaches the server soon after it moves, not only with
 * the next keepalive. The server keeps its default wal_sender_timeout (60 s), so keepalives go out
 * every 15 s.
 */
class AckFlushIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static Lsn endOf(ChangeEnvelope commit) {
    return ((Commit) commit.message()).endLsn();
  }

  @Test
  void anAcknowledgedTransactionReachesTheSlotWithinAFewHundredMilliseconds() throws Exception {
    PostgresServer pg = PG.server();
    assertThat(pg.queryString("SHOW wal_sender_timeout")).isEqualTo("1min");
    FaultFixtures.create(pg, "ackf", 1);
    SourceSettings settings = Harness.settings(pg, "ackf_slot", "ackf_pub");
    try (Harness h = Harness.start(kit.system(), settings)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      // Past the status updates of the start, so only an acknowledgement can move the slot.
      Thread.sleep(500);
      pg.execute("INSERT INTO ackf_t1 (id) VALUES ('a')");
      Harness.await("the commit", Duration.ofSeconds(10), () -> !h.consumer.commits().isEmpty());
      Lsn end = endOf(h.consumer.commits().get(0));
      long acked = System.nanoTime();
      Harness.await(
          "the slot to be confirmed to " + end,
          Duration.ofSeconds(2),
          () -> !confirmedFlush(pg, "ackf_slot").isBefore(end));
      System.out.println(
          "acknowledged position reached the slot after "
              + Duration.ofNanos(System.nanoTime() - acked).toMillis()
              + " ms");
    }
  }

  /**
   * A crash-like stop under a steady write load (the path is cut, then the actor system ends, so no
   * final status update gets through): on restart, the acknowledged transactions the server sends
   * again are the ones acknowledged in the last moments before the crash, not the last keepalive
   * interval's worth.
   */
  @Test
  void aCrashRedeliversOnlyTheLastMomentsOfAcknowledgedWork() throws Exception {
    PostgresServer pg = PG.server();
    List<String> tables = FaultFixtures.create(pg, "ackc", 1);
    List<ChangeEnvelope> firstRun;
    Instant cutAt;
    try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port());
        WriteLoad load = WriteLoad.start(pg, tables, 1, 20)) {
      SourceSettings viaProxy =
          Harness.settings(pg, "ackc_slot", "ackc_pub")
              .withUrl("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/postgres");
      ActorTestKit crashing = ActorTestKit.create("crashing");
      Harness h = Harness.start(crashing.system(), viaProxy);
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      Thread.sleep(6000);
      // The crash: the path goes away first (no final status update reaches the server), then the
      // process.
      proxy.refuse(true);
      proxy.cutAll();
      cutAt = Instant.now();
      crashing.shutdownTestKit();
      firstRun = List.copyOf(h.consumer.commits());
      load.close();
    }
    assertThat(firstRun).as("transactions acknowledged before the crash").hasSizeGreaterThan(20);
    Lsn lastAcked = endOf(firstRun.get(firstRun.size() - 1));
    Instant lastMoments = cutAt.minusSeconds(2);
    long ackedInLastMoments =
        firstRun.stream().filter(c -> c.commitTime().isAfter(lastMoments)).count();

    SourceSettings direct = Harness.settings(pg, "ackc_slot", "ackc_pub");
    try (Harness h = Harness.start(kit.system(), direct)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute("INSERT INTO ackc_t1 (id) VALUES ('after-restart')");
      Harness.await(
          "the row after the restart",
          Duration.ofSeconds(30),
          () -> h.consumer.insertedIds().contains("after-restart"));
      long again = h.consumer.commits().stream().filter(c -> !endOf(c).isAfter(lastAcked)).count();
      System.out.println(
          "after a crash, "
              + again
              + " of "
              + firstRun.size()
              + " acknowledged transactions were delivered again ("
              + ackedInLastMoments
              + " were acknowledged in the last 2 s)");
      assertThat(again)
          .as("acknowledged transactions delivered again after the crash")
          .isLessThanOrEqualTo(ackedInLastMoments);
    }
  }
}
