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

  /** Completes when the source has shut down. */
  CompletionStage<Done> isShutdown();
}
