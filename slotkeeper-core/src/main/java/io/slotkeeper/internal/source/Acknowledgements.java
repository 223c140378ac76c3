package io.slotkeeper.internal.source;

import io.slotkeeper.Lsn;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.pekko.Done;

/**
 * The {@link AckTarget} of one source: sends each acknowledgement to the SourceActor and keeps its
 * future until the actor has taken it into the ledger ({@link #taken}) or is gone ({@link
 * #sourceStopped}).
 *
 * <p>Why the set: a message still in the mailbox of an actor that stops is dropped as a dead
 * letter, so without it a caller waiting on {@code commit()} could wait for ever. Every pending
 * future is in the set from before it is sent until it completes, and {@link #sourceStopped} (run
 * from the actor's PostStop) fails what is left; a future added after that sees the flag once it is
 * sent. Either way each future completes exactly once.
 */
final class Acknowledgements implements AckTarget {
  private final String slotName;
  private final Consumer<SourceActor.Ack> send;
  private final Set<CompletableFuture<Done>> pending = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  Acknowledgements(String slotName, Consumer<SourceActor.Ack> send) {
    this.slotName = slotName;
    this.send = send;
  }

  @Override
  public CompletionStage<Done> acknowledge(Lsn endLsn) {
    CompletableFuture<Done> taken = new CompletableFuture<>();
    pending.add(taken);
    send.accept(new SourceActor.Ack(endLsn, taken));
    if (stopped) {
      fail(taken, endLsn);
    }
    return taken;
  }

  /** Called by the SourceActor once the ledger has the acknowledgement. */
  void taken(CompletableFuture<Done> future) {
    pending.remove(future);
    future.complete(Done.getInstance());
  }

  /**
   * Called by the SourceActor for an acknowledgement that arrived after its shutdown began: not
   * taken, as the final status update may already be on its way.
   */
  void tooLate(CompletableFuture<Done> future, Lsn endLsn) {
    refuse(
        future,
        "was shutting down when the acknowledgement of "
            + endLsn
            + " arrived, after its final status update was decided");
  }

  /** Called when the SourceActor has stopped: nothing sent to it will be taken any more. */
  void sourceStopped() {
    stopped = true;
    for (CompletableFuture<Done> future : pending) {
      fail(future, null);
    }
  }

  private void fail(CompletableFuture<Done> future, Lsn endLsn) {
    refuse(
        future,
        "stopped before it took the acknowledgement" + (endLsn == null ? "" : " of " + endLsn));
  }

  /** Fails an acknowledgement the source did not take: "source SLOT {@code why}; ...". */
  private void refuse(CompletableFuture<Done> future, String why) {
    pending.remove(future);
    future.completeExceptionally(
        new IllegalStateException(
            "source " + slotName + " " + why + "; what it covers comes again on the next start"));
  }
}
