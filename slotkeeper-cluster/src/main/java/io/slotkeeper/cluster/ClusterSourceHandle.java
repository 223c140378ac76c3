package io.slotkeeper.cluster;

import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.cluster.internal.SourceSingleton;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Asks a clustered source how it is doing, from any node: the questions go through this node's
 * singleton proxy to wherever the singleton runs. While the singleton moves, the proxy holds
 * questions back until the new one is there, so an answer may take as long as a hand-over.
 */
public final class ClusterSourceHandle {
  /**
   * After a reply that decides nothing (the singleton stopped for a hand-over), ask again this much
   * later.
   */
  private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

  private final ActorSystem<?> system;
  private final ActorRef<SourceSingleton.Command> proxy;
  private final String singletonName;
  private final String slotName;
  private final Duration defaultTimeout;

  ClusterSourceHandle(
      ActorSystem<?> system,
      ActorRef<SourceSingleton.Command> proxy,
      String singletonName,
      String slotName,
      Duration defaultTimeout) {
    this.system = system;
    this.proxy = proxy;
    this.singletonName = singletonName;
    this.slotName = slotName;
    this.defaultTimeout = defaultTimeout;
  }

  public String singletonName() {
    return singletonName;
  }

  public String slotName() {
    return slotName;
  }

  /** The status as the singleton sees it now, within {@code slotkeeper.cluster.status-timeout}. */
  public CompletionStage<ClusterSourceStatus> status() {
    return status(defaultTimeout);
  }

  /**
   * The status as the singleton sees it now. Completes exceptionally with a {@link
   * TimeoutException} when no singleton answers within {@code timeout}: none is running (no node
   * with the role, or a move in progress) or its node cannot be reached.
   */
  public CompletionStage<ClusterSourceStatus> status(Duration timeout) {
    CompletableFuture<ClusterSourceStatus> result = new CompletableFuture<>();
    AskPattern.<SourceSingleton.Command, ClusterSourceStatus>ask(
            proxy, SourceSingleton.GetStatus::new, timeout, system.scheduler())
        .whenComplete(
            (s, e) -> {
              if (e == null) {
                result.complete(s);
              } else {
                result.completeExceptionally(noAnswer(timeout, e));
              }
            });
    return result;
  }

  /**
   * Completes with the status once the source reaches {@code level} (or a higher ordered level),
   * wherever the singleton runs, also across hand-overs; exceptionally with a {@link
   * SourceFailedException} when it is FAILED, or a {@link TimeoutException} after {@code timeout}.
   * The singleton answers when its status changes; no polling.
   */
  public CompletionStage<ClusterSourceStatus> waitUntil(StatusLevel level, Duration timeout) {
    CompletableFuture<ClusterSourceStatus> result = new CompletableFuture<>();
    ask(level, System.nanoTime() + timeout.toNanos(), timeout, null, result);
    return result;
  }

  private void ask(
      StatusLevel level,
      long deadline,
      Duration timeout,
      ClusterSourceStatus last,
      CompletableFuture<ClusterSourceStatus> result) {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      result.completeExceptionally(
          new TimeoutException(
              "clustered source "
                  + singletonName
                  + " did not reach "
                  + level
                  + " within "
                  + timeout
                  + (last == null ? "; no singleton answered" : "; last seen: " + last)));
      return;
    }
    // Each question is bounded, so one lost with a crashed node is asked again of the next.
    Duration attempt = Duration.ofNanos(Math.min(remaining, defaultTimeout.toNanos()));
    AskPattern.<SourceSingleton.Command, ClusterSourceStatus>ask(
            proxy,
            replyTo -> new SourceSingleton.WaitFor(level, replyTo),
            attempt,
            system.scheduler())
        .whenComplete(
            (s, e) -> {
              if (e != null) {
                ask(level, deadline, timeout, last, result);
              } else if (s.level().reaches(level)) {
                result.complete(s);
              } else if (s.level() == StatusLevel.FAILED) {
                result.completeExceptionally(failure(s));
              } else {
                // The singleton stopped (hand-over): ask its successor, through the proxy, shortly.
                CompletableFuture.delayedExecutor(RETRY_PAUSE.toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> ask(level, deadline, timeout, s, result));
              }
            });
  }

  /**
   * The source's failure with the singleton named, its kind and fix still fields (as a source's own
   * {@code waitUntil} gives it); from the words alone only for a status that has no failure in
   * fields.
   */
  private SourceFailedException failure(ClusterSourceStatus failed) {
    String context = "clustered source " + singletonName + " failed: ";
    return failed
        .error()
        .map(e -> e.withContext(context))
        .orElseGet(() -> new SourceFailedException(context + failed.reason(), null));
  }

  private TimeoutException noAnswer(Duration timeout, Throwable cause) {
    TimeoutException e =
        new TimeoutException(
            "no answer from the singleton "
                + singletonName
                + " (slot "
                + slotName
                + ") within "
                + timeout
                + ": no node hosts it right now (a hand-over in progress, or no node has its role)"
                + " or its node cannot be reached");
    e.initCause(cause);
    return e;
  }

  @Override
  public String toString() {
    return "ClusterSourceHandle(" + singletonName + ", slot " + slotName + ")";
  }
}
