package io.slotkeeper.internal.stage;

import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.TableName;
import io.slotkeeper.internal.source.SourceActor;
import io.slotkeeper.internal.source.SourceState;
import io.slotkeeper.internal.status.StatusMonitor;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.StatusSubscription;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/** The {@link Control} of one materialized source; talks to its actors once they exist. */
final class ControlImpl implements Control {
  private static final AtomicLong SUBSCRIPTION_IDS = new AtomicLong();

  private final String sourceName;
  private final SourceState state;
  private final CompletableFuture<SourceActor.Refs> refs = new CompletableFuture<>();
  private final CompletableFuture<Done> shutdown = new CompletableFuture<>();

  public ControlImpl(String sourceName, SourceState state) {
    this.sourceName = sourceName;
    this.state = state;
    // Materialized means starting; STOPPED is reserved for the end, where waits are settled here.
    state.status.set(new SourceStatus(StatusLevel.STARTING, "starting", Instant.now(), null));
  }

  /** Completed by the SourceActor when it has started. */
  public CompletableFuture<SourceActor.Refs> refs() {
    return refs;
  }

  @Override
  public SourceStatus status() {
    return state.status.get();
  }

  @Override
  public SourceProgress progress() {
    return state.progress();
  }

  @Override
  public CompletionStage<SourceStatus> waitUntil(StatusLevel level, Duration timeout) {
    CompletableFuture<SourceStatus> result = new CompletableFuture<>();
    // The timeout lives here, not in the monitor, so a wait completes even if the monitor is gone.
    Executor delayed = CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    delayed.execute(
        () ->
            result.completeExceptionally(
                new TimeoutException(
                    "source "
                        + sourceName
                        + " did not reach "
                        + level
                        + " within "
                        + timeout
                        + "; it is "
                        + status())));
    refs.thenAccept(
        r -> {
          r.monitor().tell(new StatusMonitor.WaitUntil(level, result));
          settleIfTerminal(level, result);
        });
    return result;
  }

  /** Once the status is terminal the monitor may have stopped: decide the wait here. */
  private void settleIfTerminal(StatusLevel level, CompletableFuture<SourceStatus> result) {
    SourceStatus s = status();
    if (s.level() == StatusLevel.FAILED || s.level() == StatusLevel.STOPPED) {
      StatusMonitor.settle(sourceName, s, level, result);
    }
  }

  @Override
  public StatusSubscription subscribe(Consumer<SourceStatus> listener) {
    Subscription subscription = new Subscription(SUBSCRIPTION_IDS.incrementAndGet(), listener);
    refs.thenAccept(r -> subscription.register(r.monitor()));
    return subscription::close;
  }

  /**
   * One listener's registration. Closing may come before the source has started, or race the
   * registration on another thread: callbacks on {@code refs} run in no promised order (in fact
   * last-registered first), so an Unsubscribe sent from there could overtake its Subscribe and
   * leave the listener registered for good. Instead the Unsubscribe is only ever sent after the
   * Subscribe (the lock orders the two tells), and a closed subscription passes nothing on in the
   * meantime.
   */
  private static final class Subscription implements Consumer<SourceStatus> {
    private final long id;
    private final Consumer<SourceStatus> listener;

    /**
     * Written under the lock; read without it by the monitor, so a closed listener hears nothing
     * more.
     */
    private volatile boolean closed;

    private ActorRef<StatusMonitor.Command> registeredWith;

    Subscription(long id, Consumer<SourceStatus> listener) {
      this.id = id;
      this.listener = listener;
    }

    synchronized void register(ActorRef<StatusMonitor.Command> monitor) {
      if (!closed) {
        registeredWith = monitor;
        monitor.tell(new StatusMonitor.Subscribe(id, this));
      }
    }

    synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (registeredWith != null) {
        registeredWith.tell(new StatusMonitor.Unsubscribe(id));
      }
    }

    @Override
    public void accept(SourceStatus status) {
      if (!closed) {
        listener.accept(status);
      }
    }
  }

  /**
   * Completes once the SourceActor has stopped emitting, or once it is gone. A source also ends on
   * its own (downstream cancelled, e.g. after {@code take(n)}; or FAILED), and a message to a
   * stopped actor is dropped, so waiting for its answer alone would wait for ever. Either the actor
   * handles the message before it stops, or it stops first and {@link #markShutdown()} (called from
   * its PostStop) completes {@code shutdown}: one of the two always happens.
   */
  @Override
  public CompletionStage<Done> stop() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    refs.thenAccept(r -> r.source().tell(new SourceActor.StopEmitting(done)));
    CompletableFuture<Done> stopped = new CompletableFuture<>();
    done.whenComplete((v, e) -> stopped.complete(Done.getInstance()));
    shutdown.whenComplete((v, e) -> stopped.complete(Done.getInstance()));
    return stopped;
  }

  /**
   * Completes when the actors are gone, which {@link #markShutdown()} reports however they ended.
   */
  @Override
  public CompletionStage<Done> shutdown() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    refs.thenAccept(r -> r.source().tell(new SourceActor.Shutdown(done)));
    done.whenComplete((v, e) -> shutdown.complete(Done.getInstance()));
    return shutdown;
  }

  /**
   * Passed to the SourceActor, which hands it to its backfill. Fails when the source is gone before
   * it took the request (a message to a stopped actor is dropped).
   */
  @Override
  public CompletionStage<Done> backfill(TableName table) {
    java.util.Objects.requireNonNull(table, "table");
    CompletableFuture<Done> done = new CompletableFuture<>();
    refs.thenAccept(r -> r.source().tell(new SourceActor.Backfill(table, done)));
    shutdown.whenComplete(
        (v, e) ->
            done.completeExceptionally(
                new IllegalStateException(
                    "source "
                        + sourceName
                        + " stopped before the backfill of "
                        + table
                        + " ended")));
    return done;
  }

  /** Called when the source's actors are gone, whatever the reason. */
  public void markShutdown() {
    shutdown.complete(Done.getInstance());
  }

  @Override
  public CompletionStage<Done> isShutdown() {
    return shutdown;
  }
}
