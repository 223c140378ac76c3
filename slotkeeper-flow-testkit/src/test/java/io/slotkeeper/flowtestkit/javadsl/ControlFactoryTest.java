package io.slotkeeper.flowtestkit.javadsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Committer;
import io.slotkeeper.javadsl.DrainingControl;
import io.slotkeeper.javadsl.StatusSubscription;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Relation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Keep;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ControlFactoryTest {
  private static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void aFlowRunsOverPreparedEnvelopesAndDrainsAsAgainstARealSource() throws Exception {
    EnvelopeBuilder envelopes = EnvelopeBuilder.create();
    Relation items = EnvelopeBuilder.relation("public", "items", "id");
    List<ChangeEnvelope> input =
        new ArrayList<>(envelopes.transaction(1).insert(items, "1").commit());
    input.addAll(envelopes.transaction(2).insert(items, "2").insert(items, "3").commit());
    Lsn lastEnd = ((Commit) input.get(input.size() - 1).message()).endLsn();

    DrainingControl<Done> control =
        ControlFactory.source(input)
            .map(ChangeEnvelope::committableOffset)
            .toMat(Committer.sink(), Keep.both())
            .mapMaterializedValue(DrainingControl::create)
            .run(KIT.system());

    // The source stays open after its envelopes, as a replication source does, until drained.
    waitUntil(() -> envelopes.recorder().commitCalls() == input.size());
    assertThat(control.streamCompletion().toCompletableFuture()).isNotDone();
    assertThat(control.drainAndShutdown().toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo(Done.getInstance());
    assertThat(envelopes.recorder().acknowledged()).hasSize(2).last().isEqualTo(lastEnd);
    FakeControl fake = (FakeControl) control.control();
    assertThat(fake.stopRequested()).isTrue();
    assertThat(fake.shutdownRequested()).isTrue();
    assertThat(control.status().level()).isEqualTo(StatusLevel.STOPPED);
    assertThat(control.isShutdown().toCompletableFuture()).isCompleted();
  }

  @Test
  void statusWaitsAndListenersFollowWhatTheTestSets() throws Exception {
    FakeControl control = ControlFactory.control();
    control.setStatus(StatusLevel.STARTING, "connecting");
    CompletableFuture<SourceStatus> active =
        control.waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(5)).toCompletableFuture();
    List<StatusLevel> seen = new ArrayList<>();
    try (StatusSubscription s = control.subscribe(st -> seen.add(st.level()))) {
      assertThat(active).isNotDone();
      control.setStatus(StatusLevel.ACTIVE, "streaming");
      assertThat(active.get(1, TimeUnit.SECONDS).reason()).isEqualTo("streaming");
      assertThat(control.subscribers()).isEqualTo(1);
    }
    assertThat(control.subscribers()).isZero();
    control.setStatus(StatusLevel.READY, "not seen");
    assertThat(seen).containsExactly(StatusLevel.STARTING, StatusLevel.ACTIVE);

    CompletableFuture<SourceStatus> never =
        control.waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(5)).toCompletableFuture();
    control.setStatus(StatusLevel.FAILED, "wal_level is replica");
    assertThat(never).isCompletedExceptionally();
    assertThat(causeOf(never))
        .isInstanceOf(SourceFailedException.class)
        .hasMessageContaining("wal_level is replica");

    CompletableFuture<SourceStatus> late =
        ControlFactory.control()
            .waitUntil(StatusLevel.FAILED, Duration.ofMillis(50))
            .toCompletableFuture();
    assertThat(causeOf(late)).isInstanceOf(TimeoutException.class);
  }

  private static Throwable causeOf(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get(5, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      return e;
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }
}
