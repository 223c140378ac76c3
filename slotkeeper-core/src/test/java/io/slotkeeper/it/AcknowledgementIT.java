package io.slotkeeper.it;

import static io.slotkeeper.it.SlotQueries.confirmedFlush;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Committer;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 3, test 5: the slot moves only over acknowledged transactions, and idle slots still move.
 */
class AcknowledgementIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static SourceSettings settings(PostgresServer pg) {
    // Frequent status updates, so the test sees the slot move without waiting 15 s.
    return Harness.settings(pg, "ack_slot", "ack_pub")
        .withKeepaliveInterval(Duration.ofMillis(300));
  }

  @Test
  void theSlotNeverPassesAnUnacknowledgedTransactionAndAProcessRestartRedeliversIt()
      throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE ack_t (id text PRIMARY KEY)");
    pg.execute("CREATE TABLE unpublished (id serial PRIMARY KEY, pad text)");
    pg.execute("CREATE PUBLICATION ack_pub FOR TABLE ack_t");
    pg.execute("SELECT pg_create_logical_replication_slot('ack_slot', 'pgoutput')");

    List<ChangeEnvelope> firstRun;
    ActorTestKit first = ActorTestKit.create("first-process");
    try (Harness h = Harness.start(first.system(), settings(pg))) {
      AtomicInteger commitsAcked = new AtomicInteger();
      h.consumer.autoAck = e -> e.isCommit() && commitsAcked.incrementAndGet() <= 4;
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      for (int i = 1; i <= 10; i++) {
        pg.execute("INSERT INTO ack_t VALUES ('tx" + i + "')");
      }
      Harness.await(
          "ten transactions", Duration.ofSeconds(30), () -> h.consumer.commits().size() == 10);
      firstRun = List.copyOf(h.consumer.received);
      Lsn fourthEnd = ((Commit) h.consumer.commits().get(3).message()).endLsn();
      Harness.await(
          "the slot to reach the 4th commit's end",
          Duration.ofSeconds(10),
          () -> confirmedFlush(pg, "ack_slot").equals(fourthEnd));
      // The server keeps sending keepalives with later WAL ends; unacknowledged 5..10 must hold the
      // slot.
      pg.execute("INSERT INTO unpublished (pad) SELECT 'x' FROM generate_series(1, 1000)");
      Thread.sleep(2000);
      assertThat(confirmedFlush(pg, "ack_slot")).isEqualTo(fourthEnd);
      assertThat(h.control.progress().confirmedLsn()).isEqualTo(fourthEnd);
    } finally {
      first.shutdownTestKit(); // the "process" ends without acknowledging 5..10
    }
    assertThat(firstRun).hasSize(30);

    ActorTestKit second = ActorTestKit.create("second-process");
    try (Harness h = Harness.start(second.system(), settings(pg))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      Harness.await(
          "the unacknowledged six again",
          Duration.ofSeconds(30),
          () -> h.consumer.commits().size() >= 6);
      Thread.sleep(500);
      assertThat(h.consumer.insertedIds("ack_t"))
          .containsExactly("tx5", "tx6", "tx7", "tx8", "tx9", "tx10");
      Lsn lastEnd = ((Commit) h.consumer.commits().get(5).message()).endLsn();
      Harness.await(
          "all ten acknowledged",
          Duration.ofSeconds(10),
          () -> confirmedFlush(pg, "ack_slot").compareTo(lastEnd) >= 0);

      // Idle advancement: only unpublished writes now. Nothing is in flight, so the server's WAL
      // end may be confirmed and the slot must not pin the WAL these writes produce.
      for (int i = 0; i < 5; i++) {
        pg.execute("INSERT INTO unpublished (pad) SELECT 'y' FROM generate_series(1, 200)");
      }
      Lsn walAfter = Lsn.parse(pg.queryString("SELECT pg_current_wal_lsn()"));
      Harness.await(
          "the idle slot to advance past the unpublished writes",
          Duration.ofSeconds(20),
          () -> confirmedFlush(pg, "ack_slot").compareTo(walAfter) >= 0);
      assertThat(h.consumer.commits()).hasSize(6);
    } finally {
      second.shutdownTestKit();
    }
  }

  /**
   * Issue 10, item 8: acknowledgement is cumulative. A flow that filters envelopes before
   * Committer.sink and so never commits some Commits' offsets (here: only every fifth) still moves
   * the slot to the last offset it committed, and nothing waits for an acknowledgement afterwards.
   */
  @Test
  void committingOnlySomeOffsetsAcknowledgesEverythingBeforeThem() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE cum_t (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION cum_pub FOR TABLE cum_t");
    pg.execute("SELECT pg_create_logical_replication_slot('cum_slot', 'pgoutput')");
    SourceSettings settings =
        Harness.settings(pg, "cum_slot", "cum_pub")
            .withKeepaliveInterval(Duration.ofMillis(300))
            .withIdleAdvance(false);
    ActorTestKit kit = ActorTestKit.create("cumulative");
    try {
      AtomicInteger commits = new AtomicInteger();
      List<Lsn> committedEnds = new CopyOnWriteArrayList<>();
      Pair<Control, CompletionStage<Done>> run =
          ReplicationSource.create(settings)
              .filter(e -> e.isCommit() && commits.incrementAndGet() % 5 == 0)
              .map(
                  e -> {
                    committedEnds.add(((Commit) e.message()).endLsn());
                    return e.committableOffset();
                  })
              .toMat(Committer.sink(), Keep.both())
              .run(kit.system());
      run.first().waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(30)).toCompletableFuture().get();
      for (int i = 1; i <= 12; i++) {
        pg.execute("INSERT INTO cum_t VALUES ('c" + i + "')");
      }
      Harness.await(
          "two committed offsets", Duration.ofSeconds(30), () -> committedEnds.size() == 2);
      Lsn tenth = committedEnds.get(1);
      Harness.await(
          "the slot to reach the 10th commit's end",
          Duration.ofSeconds(10),
          () -> confirmedFlush(pg, "cum_slot").equals(tenth));
      assertThat(run.first().progress().confirmedLsn()).isEqualTo(tenth);
      assertThat(run.first().progress().unacknowledgedUnits()).as("the 11th and 12th").isEqualTo(2);
      run.first().shutdown().toCompletableFuture().get();
    } finally {
      kit.shutdownTestKit();
    }
  }

  /**
   * An acknowledgement that reaches the source after its shutdown began cannot be in the final
   * status update (the connection reads the confirmed position while the source shuts down), so it
   * must not be reported as taken: its stage fails, and the unit comes again on the next start.
   */
  @Test
  void anAcknowledgementAfterShutdownBeganFailsAndItsTransactionComesAgain() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE late_ack (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION late_ack_pub FOR TABLE late_ack");
    pg.execute("SELECT pg_create_logical_replication_slot('late_ack_slot', 'pgoutput')");
    SourceSettings settings =
        Harness.settings(pg, "late_ack_slot", "late_ack_pub")
            .withKeepaliveInterval(Duration.ofMillis(300));
    ActorTestKit first = ActorTestKit.create("late-ack-first");
    try {
      Harness.Consumer nothingAcked = new Harness.Consumer();
      nothingAcked.autoAck = e -> false;
      Harness h = Harness.start(first.system(), settings, nothingAcked);
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute("INSERT INTO late_ack VALUES ('late')");
      Harness.await("the row", Duration.ofSeconds(30), () -> h.consumer.commits().size() == 1);
      ChangeEnvelope commit = h.consumer.commits().get(0);
      CompletionStage<Done> shutdown = h.control.shutdown();
      CompletableFuture<Done> taken = commit.committableOffset().commit().toCompletableFuture();
      shutdown.toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(taken)
          .as("taken after the shutdown began: not in the final status update")
          .failsWithin(Duration.ofSeconds(10))
          .withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(IllegalStateException.class);
      // Not past the unacknowledged transaction (the slot may have moved before it, idle).
      assertThat(confirmedFlush(pg, "late_ack_slot"))
          .isLessThanOrEqualTo(((Commit) commit.message()).commitLsn());
    } finally {
      first.shutdownTestKit();
    }
    ActorTestKit second = ActorTestKit.create("late-ack-second");
    try (Harness h = Harness.start(second.system(), settings)) {
      Harness.await(
          "the unacknowledged row again",
          Duration.ofSeconds(30),
          () -> h.consumer.insertedIds("late_ack").contains("late"));
    } finally {
      second.shutdownTestKit();
    }
  }
}
