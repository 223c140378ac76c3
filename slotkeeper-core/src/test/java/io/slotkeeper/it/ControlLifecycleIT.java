package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, items 7 and 9: the Control still answers once the source has ended on its own. Like
 * pekko-connectors-kafka's Control, stop() and drainAndShutdown() complete whether the source ended
 * by downstream cancelling, by failing, or not yet; and an actor system terminated under a running
 * source leaves a status that says so.
 */
class ControlLifecycleIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  /** Ample for a local answer; the point is that the answer comes at all. */
  private static final long ANSWER_SECONDS = 5;

  @BeforeAll
  static void schema() {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE lc (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION lc_pub FOR TABLE lc");
  }

  private static <T> T within(CompletionStage<T> stage, String what) throws Exception {
    try {
      return stage.toCompletableFuture().get(ANSWER_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + ANSWER_SECONDS + " s", e);
    }
  }

  @Test
  void afterDownstreamTookWhatItWantedStopAndDrainAndShutdownComplete() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("SELECT pg_create_logical_replication_slot('lc_take', 'pgoutput')");
    pg.execute("INSERT INTO lc SELECT g FROM generate_series(1, 5) g");
    Pair<Control, CompletionStage<List<ChangeEnvelope>>> run =
        ReplicationSource.create(Harness.settings(pg, "lc_take", "lc_pub"))
            .take(3)
            .toMat(Sink.seq(), Keep.both())
            .run(kit.system());
    Control control = run.first();
    assertThat(run.second().toCompletableFuture().get(30, TimeUnit.SECONDS)).hasSize(3);
    // The source ends itself once downstream cancelled.
    within(control.isShutdown(), "isShutdown after take(3)");

    assertThat(within(control.stop(), "stop() after take(3)")).isEqualTo(Done.getInstance());
    assertThat(within(control.drainAndShutdown(run.second()), "drainAndShutdown after take(3)"))
        .hasSize(3);
    assertThat(within(control.shutdown(), "shutdown after take(3)")).isEqualTo(Done.getInstance());
  }

  @Test
  void stopRacingTheEndOfAStreamThatCancelsAtOnceCompletes() throws Exception {
    // take(1) cancels right after the first element, while stop() may already be on its way.
    PostgresServer pg = PG.server();
    pg.execute("SELECT pg_create_logical_replication_slot('lc_race', 'pgoutput')");
    pg.execute("INSERT INTO lc SELECT g FROM generate_series(100, 102) g");
    Pair<Control, CompletionStage<List<ChangeEnvelope>>> run =
        ReplicationSource.create(Harness.settings(pg, "lc_race", "lc_pub"))
            .take(1)
            .toMat(Sink.seq(), Keep.both())
            .run(kit.system());
    Control control = run.first();
    CompletionStage<List<ChangeEnvelope>> drained =
        run.second().thenCompose(l -> control.drainAndShutdown(run.second()));
    assertThat(drained.toCompletableFuture().get(30, TimeUnit.SECONDS)).hasSize(1);
    within(control.stop(), "stop() after take(1)");
  }

  @Test
  void afterTheSourceFailedStopAndDrainAndShutdownCompleteWithTheFailure() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("SELECT pg_create_logical_replication_slot('lc_fail', 'pgoutput')");
    Pair<Control, CompletionStage<Done>> run =
        ReplicationSource.create(Harness.settings(pg, "lc_fail", "no_such_publication"))
            .toMat(Sink.ignore(), Keep.both())
            .run(kit.system());
    Control control = run.first();
    Throwable streamFailure = failureOf(run.second(), 30);
    assertThat(streamFailure).isInstanceOf(SourceFailedException.class);
    assertThat(control.status().level()).isEqualTo(StatusLevel.FAILED);
    within(control.isShutdown(), "isShutdown after FAILED");

    assertThat(within(control.stop(), "stop() after FAILED")).isEqualTo(Done.getInstance());
    // Completes with the stream's own result: its failure.
    assertThat(failureOf(control.drainAndShutdown(run.second()), ANSWER_SECONDS))
        .isSameAs(streamFailure);
    assertThat(control.status().level()).as("FAILED stays").isEqualTo(StatusLevel.FAILED);
  }

  @Test
  void anActorSystemTerminatedUnderARunningSourceLeavesItStopped() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("SELECT pg_create_logical_replication_slot('lc_term', 'pgoutput')");
    ActorSystem<Void> own = ActorSystem.create(Behaviors.empty(), "terminated-under-a-source");
    Pair<Control, CompletionStage<Done>> run =
        ReplicationSource.create(Harness.settings(pg, "lc_term", "lc_pub"))
            .toMat(Sink.ignore(), Keep.both())
            .run(own);
    Control control = run.first();
    within(control.waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(30)), "ACTIVE");

    own.terminate();
    own.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(control.status().level())
        .as(control.status().toString())
        .isEqualTo(StatusLevel.STOPPED);
    within(control.isShutdown(), "isShutdown after the actor system terminated");
    assertThat(
            failureOf(
                control.waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(30)), ANSWER_SECONDS))
        .isInstanceOf(SourceFailedException.class);
    within(control.stop(), "stop() after the actor system terminated");
    within(control.shutdown(), "shutdown() after the actor system terminated");
    // The walsender goes with the connection.
    Harness.await(
        "the walsender to go",
        Duration.ofSeconds(30),
        () ->
            pg.queryLong(
                    "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'lc_term' AND active")
                == 0);
  }

  private static Throwable failureOf(CompletionStage<?> stage, long seconds) throws Exception {
    try {
      stage.toCompletableFuture().get(seconds, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within " + seconds + " s", e);
    }
  }
}
