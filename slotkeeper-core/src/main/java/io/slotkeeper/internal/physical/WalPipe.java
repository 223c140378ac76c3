package io.slotkeeper.internal.physical;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * The way from the connection into the writing stream. The queue backpressures (an offer completes
 * only once the stream has room), and the connection reads the socket again only after its offer
 * completed: a slow disk stops socket reads, and TCP holds the walsender back, while the keepalive
 * timer goes on. Offers are chained one after another because the queue takes one pending offer at
 * a time, and a new connection may offer while a dead one's last offer still waits.
 */
final class WalPipe {
  private final SourceQueueWithComplete<WalChunk.Batch> queue;
  private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);

  WalPipe(SourceQueueWithComplete<WalChunk.Batch> queue) {
    this.queue = queue;
  }

  /** Completes once the batch is in the stream; fails when the stream is gone. */
  synchronized CompletionStage<Void> offer(WalChunk.Batch batch) {
    CompletableFuture<Void> next =
        last.handle((v, e) -> null)
            .thenCompose(v -> queue.offer(batch).toCompletableFuture())
            .thenApply(
                result -> {
                  if (!QueueOfferResult.enqueued().equals(result)) {
                    throw new IllegalStateException(
                        "the archive's writer no longer takes WAL (" + result + ")");
                  }
                  return null;
                });
    last = next;
    return next;
  }

  /** No more WAL: the writer finishes what it has and the stream completes. */
  synchronized void complete() {
    last.handle((v, e) -> null).thenRun(queue::complete);
  }

  void fail(Throwable cause) {
    queue.fail(cause);
  }
}
