package io.slotkeeper.javadsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DrainingControlTest {
  private static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** Records what it was asked; drains by waiting for the stream it is given. */
  static final class StubControl implements Control {
    final List<String> calls = new ArrayList<>();

    @Override
    public SourceStatus status() {
      return new SourceStatus(StatusLevel.ACTIVE, "stub", Instant.EPOCH, null);
    }

    @Override
    public SourceProgress progress() {
      return SourceProgress.none();
    }

    @Override
    public CompletionStage<SourceStatus> waitUntil(StatusLevel level, Duration timeout) {
      return CompletableFuture.completedFuture(status());
    }

    @Override
    public StatusSubscription subscribe(Consumer<SourceStatus> listener) {
      calls.add("subscribe");
      return () -> calls.add("close");
    }

    @Override
    public CompletionStage<Done> stop() {
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<Done> shutdown() {
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public <T> CompletionStage<T> drainAndShutdown(CompletionStage<T> streamCompletion) {
      calls.add("drainAndShutdown");
      return streamCompletion;
    }

    @Override
    public CompletionStage<Done> isShutdown() {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  }

  @Test
  void pairsTheControlWithItsStreamAsKeepBothMaterializesThem() throws Exception {
    StubControl stub = new StubControl();
    DrainingControl<List<ChangeEnvelope>> control =
        Source.<ChangeEnvelope>empty()
            .mapMaterializedValue(n -> (Control) stub)
            .toMat(Sink.seq(), Keep.both())
            .mapMaterializedValue(DrainingControl::create)
            .run(KIT.system());
    assertThat(control.drainAndShutdown().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEmpty();
    assertThat(stub.calls).containsExactly("drainAndShutdown");
    assertThat(control.control()).isSameAs(stub);
  }

  @Test
  void alsoAsTheCombinerOfToMat() throws Exception {
    StubControl stub = new StubControl();
    DrainingControl<Done> control =
        Source.<ChangeEnvelope>empty()
            .mapMaterializedValue(n -> (Control) stub)
            .toMat(Sink.ignore(), DrainingControl::create)
            .run(KIT.system());
    assertThat(control.drainAndShutdown().toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo(Done.getInstance());
    assertThat(control.status().reason()).isEqualTo("stub");
  }

  @Test
  void theSubscriptionClosesWithoutACatch() {
    StubControl stub = new StubControl();
    try (StatusSubscription s =
        DrainingControl.create(stub, new CompletableFuture<Done>()).subscribe(x -> {})) {
      assertThat(stub.calls).containsExactly("subscribe");
    }
    assertThat(stub.calls).containsExactly("subscribe", "close");
  }
}
