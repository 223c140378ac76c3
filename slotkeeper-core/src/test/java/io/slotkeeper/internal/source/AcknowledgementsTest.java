package io.slotkeeper.internal.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.Done;
import org.junit.jupiter.api.Test;

/**
 * What {@code CommittableOffset.commit()} returns: taken by the ledger, or failed once the source
 * is gone.
 */
class AcknowledgementsTest {
  private final List<SourceActor.Ack> sent = new ArrayList<>();
  private final Acknowledgements acks = new Acknowledgements("slot_a", sent::add);

  @Test
  void completesOnlyOnceTheSourceHasTakenIt() {
    CompletableFuture<Done> stage = acks.acknowledge(Lsn.of(110)).toCompletableFuture();
    assertThat(sent).extracting(SourceActor.Ack::endLsn).containsExactly(Lsn.of(110));
    assertThat(stage).isNotDone();
    acks.taken(sent.get(0).taken());
    assertThat(stage).isCompletedWithValue(Done.getInstance());
  }

  @Test
  void whatTheSourceNeverTookFailsWhenItStops() {
    CompletableFuture<Done> taken = acks.acknowledge(Lsn.of(110)).toCompletableFuture();
    CompletableFuture<Done> lost = acks.acknowledge(Lsn.of(210)).toCompletableFuture();
    acks.taken(sent.get(0).taken());
    acks.sourceStopped();
    assertThat(taken).isCompletedWithValue(Done.getInstance());
    assertThat(lost).isCompletedExceptionally();
    assertThat(lost.handle((v, e) -> e).join())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("slot_a")
        .hasMessageContaining("comes again");
  }

  @Test
  void anAcknowledgementAfterTheSourceStoppedFailsAtOnce() {
    acks.sourceStopped();
    CompletableFuture<Done> late = acks.acknowledge(Lsn.of(110)).toCompletableFuture();
    assertThat(late).isCompletedExceptionally();
    assertThat(late.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("0/6E");
  }

  @Test
  void offsetsThatAreNotUnitEndsNeedNothingTaken() {
    assertThat(CommittableOffsetImpl.notAUnitEnd(Lsn.of(5)).commit().toCompletableFuture())
        .isCompleted();
    CommittableOffsetImpl end = new CommittableOffsetImpl(Lsn.of(110), true, acks);
    CompletableFuture<Done> stage = end.commit().toCompletableFuture();
    assertThat(sent).extracting(SourceActor.Ack::endLsn).containsExactly(Lsn.of(110));
    assertThat(stage).isNotDone();
  }
}
