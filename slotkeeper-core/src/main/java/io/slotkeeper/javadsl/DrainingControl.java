package io.slotkeeper.javadsl;

import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;

/**
 * A source's {@link Control} together with the completion of the stream that consumes it, so that
 * {@link #drainAndShutdown()} needs no argument, as pekko-connectors-kafka's {@code
 * Consumer.DrainingControl}:
 *
 * <pre>{@code
 * DrainingControl<Done> control = ReplicationSource.create(settings)
 *     .map(envelope -> { store(envelope); return envelope.committableOffset(); })
 *     .toMat(Committer.sink(), Keep.both())
 *     .mapMaterializedValue(DrainingControl::create)
 *     .run(system);
 * ...
 * control.drainAndShutdown();   // the stream's own result, once the source has shut down
 * }</pre>
 *
 * <p>Every {@link Control} method is the wrapped control's.
 *
 * @param <T> what the consuming stream completes with
 */
public final class DrainingControl<T> implements Control {
  private final Control control;
  private final CompletionStage<T> streamCompletion;

  private DrainingControl(Control control, CompletionStage<T> streamCompletion) {
    this.control = Objects.requireNonNull(control, "control");
    this.streamCompletion = Objects.requireNonNull(streamCompletion, "streamCompletion");
  }

  /** For {@code .toMat(sink, Keep.both()).mapMaterializedValue(DrainingControl::create)}. */
  public static <T> DrainingControl<T> create(Pair<? extends Control, CompletionStage<T>> pair) {
    return new DrainingControl<>(pair.first(), pair.second());
  }

  /** For {@code .toMat(sink, DrainingControl::create)}. */
  public static <T> DrainingControl<T> create(
      Control control, CompletionStage<T> streamCompletion) {
    return new DrainingControl<>(control, streamCompletion);
  }

  /**
   * Stops emitting, waits for the stream (and so its acknowledgements), shuts the source down and
   * completes with the stream's result or failure: {@link Control#drainAndShutdown} with this
   * stream's completion.
   */
  public CompletionStage<T> drainAndShutdown() {
    return control.drainAndShutdown(streamCompletion);
  }

  /** The consuming stream's completion. */
  public CompletionStage<T> streamCompletion() {
    return streamCompletion;
  }

  /** The wrapped control. */
  public Control control() {
    return control;
  }

  @Override
  public SourceStatus status() {
    return control.status();
  }

  @Override
  public SourceProgress progress() {
    return control.progress();
  }

  @Override
  public CompletionStage<Done> backfill(io.slotkeeper.TableName table) {
    return control.backfill(table);
  }

  @Override
  public CompletionStage<SourceStatus> waitUntil(StatusLevel level, Duration timeout) {
    return control.waitUntil(level, timeout);
  }

  @Override
  public StatusSubscription subscribe(Consumer<SourceStatus> listener) {
    return control.subscribe(listener);
  }

  @Override
  public CompletionStage<Done> stop() {
    return control.stop();
  }

  @Override
  public CompletionStage<Done> shutdown() {
    return control.shutdown();
  }

  @Override
  public <U> CompletionStage<U> drainAndShutdown(CompletionStage<U> otherCompletion) {
    return control.drainAndShutdown(otherCompletion);
  }

  @Override
  public CompletionStage<Done> isShutdown() {
    return control.isShutdown();
  }
}
