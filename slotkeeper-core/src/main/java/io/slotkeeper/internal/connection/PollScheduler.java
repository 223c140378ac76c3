package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends the ConnectionActor's re-poll messages. Why not Pekko's timers: the Pekko scheduler works
 * in ticks of {@code pekko.scheduler.tick-duration} (10 ms by default), so a 1 ms poll back-off
 * really waited 10 to 20 ms, and that wait was the whole commit-to-delivery latency of a quiet
 * stream (the benchmark measured p99 29 ms at 5,000 rows/s). A JDK scheduled executor fires with
 * sub-millisecond precision and holds no thread while waiting; one daemon thread serves every
 * source in the JVM, and all it does is enqueue a message.
 */
@InternalApi
public final class PollScheduler {
  private static final ScheduledExecutorService EXECUTOR =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "slotkeeper-poll-scheduler");
            t.setDaemon(true);
            return t;
          });

  private PollScheduler() {}

  public static ScheduledFuture<?> schedule(Duration delay, Runnable send) {
    return EXECUTOR.schedule(send, delay.toNanos(), TimeUnit.NANOSECONDS);
  }
}
