package io.slotkeeper.javadsl;

import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;

/** The materialized value of a replication source: its status, and how to stop it. */
public interface Control {

  /** The latest status, without waiting. */
  SourceStatus status();

  /** Positions and counters, without waiting. */
  SourceProgress progress();

  /**
   * Completes with the status once the source reaches {@code level} (or a higher one of the ordered
   * levels); exceptionally with a {@link io.slotkeeper.SourceFailedException} when it fails or
   * stops first, or a {@link java.util.concurrent.TimeoutException} after {@code timeout}. Driven
   * by status changes, not by polling; any number may wait at once.
   */
  CompletionStage<SourceStatus> waitUntil(StatusLevel level, Duration timeout);

  /**
   * Calls {@code listener} with the current status and then with every change, on an actor thread
   * (keep it quick). Close the returned handle to stop listening; closing throws nothing.
   */
  StatusSubscription subscribe(Consumer<SourceStatus> listener);

  /**
   * Stops emitting: the stream completes after what is already buffered. The connection stays open
   * so acknowledgements still reach the slot; call {@link #shutdown()} afterwards.
   */
  CompletionStage<Done> stop();

  /**
   * Stops emitting, sends the server a final status update with the acknowledged position and
   * closes the connection.
   */
  CompletionStage<Done> shutdown();

  /**
   * Stops emitting, waits for {@code streamCompletion} (the end of the stream that consumes this
   * source, including its acknowledgements), then shuts down. Completes with the stream's result.
   * {@link DrainingControl} pairs the two for you.
   *
   * <p>As pekko-connectors-kafka's {@code DrainingControl}: completes with the stream's own result
   * or failure, also when the source had already ended on its own (each step completes then).
   * Defined here, from {@link #stop()} and {@link #shutdown()}, so that every control (the
   * engine's, the flow testkit's) drains in the same order.
   */
  default <T> CompletionStage<T> drainAndShutdown(CompletionStage<T> streamCompletion) {
    return stop()
        .thenCompose(d -> streamCompletion.handle((value, error) -> null))
        .thenCompose(x -> shutdown())
        .thenCompose(d -> streamCompletion);
  }

  /**
   * Reads {@code table} again while the stream goes on, on the same slot, and delivers its rows as
   * {@code SNAPSHOT} elements between the ordinary changes (the watermark method: each chunk of
   * rows, in primary-key order, is selected between a low and a high watermark written into the
   * WAL, and rows the stream changed between the two are left out, as the stream carries their
   * newer version). Applying the rows and the changes in delivery order gives the table as it is.
   *
   * <p>Acknowledgement: the last row of a chunk carries an offset that is a unit end (the chunk's
   * high watermark); committing it, or any later unit, acknowledges the chunk and everything the
   * stream delivered before it. A chunk is done once that position is acknowledged; its progress is
   * then recorded in {@code backfill.progress-table}, and a source started later on the same slot
   * (this process or another) continues the backfill after that chunk by itself. Asking for a table
   * whose backfill is unfinished continues it; one recorded as finished (or never started) is read
   * from its first key. Tables are backfilled one after another.
   *
   * <p>Completes once the last chunk has been delivered downstream; exceptionally with an {@link
   * IllegalArgumentException} saying why when the table cannot be backfilled (not published, no
   * primary key, replica identity neither DEFAULT nor FULL, partitioned, or with {@code
   * deliver-in-progress}), or an {@link IllegalStateException} when the source stops first. This
   * default refuses: only the engine's own control backfills.
   */
  default CompletionStage<Done> backfill(io.slotkeeper.TableName table) {
    java.util.concurrent.CompletableFuture<Done> refused =
        new java.util.concurrent.CompletableFuture<>();
    refused.completeExceptionally(
        new UnsupportedOperationException(getClass().getSimpleName() + " does not backfill"));
    return refused;
  }

  /** Completes when the source has shut down. */
  CompletionStage<Done> isShutdown();
}
