package io.slotkeeper.internal.physical;

import io.slotkeeper.ArchiveProgress;
import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.status.StatusMonitor;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.StatusSubscription;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/** The {@link ArchiveControl} of one archiver. */
final class ArchiveControlImpl implements ArchiveControl {
  private static final AtomicLong SUBSCRIPTION_IDS = new AtomicLong();

  private final String name;
  private final ArchiveState state;
  private final CompletableFuture<ActorRef<StatusMonitor.Command>> monitor;
  private final CompletableFuture<ActorRef<ArchiveActor.Command>> root = new CompletableFuture<>();
  private final CompletableFuture<Done> shutdown = new CompletableFuture<>();

  ArchiveControlImpl(
      ArchiveSettings settings,
      ArchiveState state,
      CompletableFuture<ActorRef<StatusMonitor.Command>> monitor) {
    this.name = "archive " + settings.directory();
    this.state = state;
    this.monitor = monitor;
    state.status.set(new SourceStatus(StatusLevel.STARTING, "starting", Instant.now(), null));
  }

  void root(ActorRef<ArchiveActor.Command> ref) {
    root.complete(ref);
  }

  void markShutdown() {
    shutdown.complete(Done.getInstance());
  }

  @Override
  public SourceStatus status() {
    return state.status.get();
  }

  @Override
  public ArchiveProgress progress() {
    return state.progress();
  }

  @Override
  public CompletionStage<SourceStatus> waitUntil(StatusLevel level, Duration timeout) {
    CompletableFuture<SourceStatus> result = new CompletableFuture<>();
    CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .execute(
            () ->
                result.completeExceptionally(
                    new TimeoutException(
                        name
                            + " did not reach "
                            + level
                            + " within "
                            + timeout
                            + "; it is "
                            + status())));
    monitor.thenAccept(
        m -> {
          m.tell(new StatusMonitor.WaitUntil(level, result));
          SourceStatus s = status();
          if (s.level() == StatusLevel.FAILED || s.level() == StatusLevel.STOPPED) {
            StatusMonitor.settle(name, s, level, result);
          }
        });
    return result;
  }

  @Override
  public StatusSubscription subscribe(Consumer<SourceStatus> listener) {
    long id = SUBSCRIPTION_IDS.incrementAndGet();
    Object lock = new Object();
    boolean[] closed = {false};
    monitor.thenAccept(
        m -> {
          synchronized (lock) {
            if (!closed[0]) {
              m.tell(
                  new StatusMonitor.Subscribe(
                      id,
                      s -> {
                        synchronized (lock) {
                          if (closed[0]) {
                            return;
                          }
                        }
                        listener.accept(s);
                      }));
            }
          }
        });
    return () -> {
      synchronized (lock) {
        if (!closed[0]) {
          closed[0] = true;
          monitor.thenAccept(m -> m.tell(new StatusMonitor.Unsubscribe(id)));
        }
      }
    };
  }

  @Override
  public CompletionStage<Done> shutdown() {
    root.thenAccept(r -> r.tell(new ArchiveActor.Shutdown(new CompletableFuture<>())));
    return shutdown;
  }

  @Override
  public CompletionStage<Done> isShutdown() {
    return shutdown;
  }
}
