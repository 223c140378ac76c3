package io.slotkeeper.flowtestkit.javadsl;

import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.StatusSubscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.Done;

/**
 * A {@link Control} without a source behind it, whose status the test sets, as
 * pekko-connectors-kafka's {@code ConsumerControlFactory} control: for code that takes a Control
 * (waits for ACTIVE, reports status, drains on shutdown). Made by {@link ControlFactory}, which can
 * also attach it to a source of envelopes so that {@link #stop()} completes that stream.
 *
 * <p>It starts ACTIVE. {@link #stop()} completes the attached stream (if any) and {@link
 * #shutdown()} then sets the status to STOPPED, as the engine does; {@link #drainAndShutdown} is
 * {@link Control}'s own, the engine's order (stop, wait for the stream, shut down, complete with
 * the stream's result). Thread-safe.
 */
public final class FakeControl implements Control {
  private final Runnable onStop;
  private final AtomicLong listenerIds = new AtomicLong();
  private final Map<Long, Consumer<SourceStatus>> listeners = new ConcurrentHashMap<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final CompletableFuture<Done> shutdown = new CompletableFuture<>();
  private volatile SourceStatus status =
      new SourceStatus(StatusLevel.ACTIVE, "fake control", Instant.now(), null);
  private volatile SourceProgress progress = SourceProgress.none();
  private volatile boolean stopRequested;
  private volatile boolean shutdownRequested;

  private record Waiter(StatusLevel level, CompletableFuture<SourceStatus> result) {}

  FakeControl(Runnable onStop) {
    this.onStop = onStop;
  }

  /** Sets the status (with its reason), tells the listeners and settles the waits it decides. */
  public void setStatus(StatusLevel level, String reason) {
    SourceStatus next = new SourceStatus(level, reason, Instant.now(), null);
    List<Waiter> settled = new ArrayList<>();
    synchronized (this) {
      status = next;
      waiters.removeIf(w -> decides(next, w) && settled.add(w));
    }
    settled.forEach(w -> settle(next, w));
    listeners.values().forEach(l -> l.accept(next));
  }

  public void setProgress(SourceProgress progress) {
    this.progress = progress;
  }

  /** Whether {@link #stop()} (or a drain) was called. */
  public boolean stopRequested() {
    return stopRequested;
  }

  /** Whether {@link #shutdown()} (or a drain) was called. */
  public boolean shutdownRequested() {
    return shutdownRequested;
  }

  /** How many status listeners are subscribed and not closed. */
  public int subscribers() {
    return listeners.size();
  }

  @Override
  public SourceStatus status() {
    return status;
  }

  @Override
  public SourceProgress progress() {
    return progress;
  }

  @Override
  public CompletionStage<SourceStatus> waitUntil(StatusLevel level, Duration timeout) {
    Waiter waiter = new Waiter(level, new CompletableFuture<>());
    SourceStatus now;
    synchronized (this) {
      now = status;
      if (!decides(now, waiter)) {
        waiters.add(waiter);
      }
    }
    if (decides(now, waiter)) {
      settle(now, waiter);
    }
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(
            () ->
                waiter
                    .result()
                    .completeExceptionally(
                        new TimeoutException("did not reach " + level + " within " + timeout)));
    return waiter.result();
  }

  private static boolean decides(SourceStatus s, Waiter w) {
    return s.level().reaches(w.level())
        || s.level() == StatusLevel.FAILED
        || s.level() == StatusLevel.STOPPED;
  }

  private static void settle(SourceStatus s, Waiter w) {
    if (s.level().reaches(w.level())) {
      w.result().complete(s);
    } else {
      w.result()
          .completeExceptionally(
              new SourceFailedException(
                  "source is "
                      + s.level()
                      + " ("
                      + s.reason()
                      + "), it will not reach "
                      + w.level(),
                  null));
    }
  }

  @Override
  public StatusSubscription subscribe(Consumer<SourceStatus> listener) {
    long id = listenerIds.incrementAndGet();
    listeners.put(id, listener);
    listener.accept(status);
    return () -> listeners.remove(id);
  }

  @Override
  public CompletionStage<Done> stop() {
    stopRequested = true;
    onStop.run();
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public CompletionStage<Done> shutdown() {
    stopRequested = true;
    shutdownRequested = true;
    onStop.run();
    if (!shutdown.isDone()) {
      setStatus(StatusLevel.STOPPED, "shut down");
      shutdown.complete(Done.getInstance());
    }
    return shutdown;
  }

  @Override
  public CompletionStage<Done> isShutdown() {
    return shutdown;
  }
}
