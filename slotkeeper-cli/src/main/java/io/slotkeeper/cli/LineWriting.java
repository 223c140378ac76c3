package io.slotkeeper.cli;

import io.slotkeeper.ChangeEnvelope;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * How {@code stream} ({@link StreamPipeline}) and {@code cluster} ({@link ClusterOutput}) write
 * JSON Lines: on one dedicated thread (writes block on the pipe or the disk), a batch at a time.
 * While the thread writes, arriving envelopes gather in a {@code batch} stage, so a busy stream is
 * written and flushed in batches (one flush per batch, not per transaction) without delaying a
 * quiet one; when the writer falls behind, the batch fills up and back-pressure reaches the server
 * through the source.
 */
final class LineWriting {

  /** Envelopes gathered into one batch at the most. */
  static final int MAX_BATCH = 1000;

  private LineWriting() {}

  /** A single daemon thread named {@code name} for the writes. */
  static ExecutorService writerThread(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /** Batches of envelopes, each handed to {@code write} on {@code writer}, one at a time. */
  static <T> Flow<ChangeEnvelope, T, NotUsed> inBatches(
      ExecutorService writer, Function<List<ChangeEnvelope>, T> write) {
    return Flow.of(ChangeEnvelope.class)
        .batch(
            MAX_BATCH,
            first -> {
              List<ChangeEnvelope> l = new ArrayList<>();
              l.add(first);
              return l;
            },
            (l, e) -> {
              l.add(e);
              return l;
            })
        .mapAsync(1, batch -> CompletableFuture.supplyAsync(() -> write.apply(batch), writer));
  }

  /**
   * Writes {@code lines} to {@code target} and flushes it; {@link StreamPipeline.OutputFailed} when
   * it cannot (nothing after its last flush may then be acknowledged).
   */
  static void writeAndFlush(OutputTarget target, LineBytes lines) {
    try {
      lines.writeTo(target);
      target.flush();
    } catch (IOException ex) {
      throw new StreamPipeline.OutputFailed(target.describe(), ex);
    }
  }
}
