package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds a blocking socket write. Why: the socket timeout only bounds reads; a write blocks once
 * the kernel's send buffer is full, which on a black-holed path can last until TCP gives up
 * (minutes), holding the connection actor and with it the liveness check. When the write takes
 * longer than its limit, the watchdog runs {@code abort} (closing the socket, which makes the
 * blocked write fail at once) and the write's caller gets a transient error that says why.
 *
 * <p>One daemon thread serves every source in the JVM; all it does is close a socket now and then.
 */
@InternalApi
public final class WriteWatchdog {
  /** A blocking write. */
  public interface Write {
    void run() throws SQLException;
  }

  private static final int RUNNING = 0;
  private static final int DONE = 1;
  private static final int FIRED = 2;

  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "slotkeeper-write-watchdog");
            t.setDaemon(true);
            return t;
          });

  private WriteWatchdog() {}

  /**
   * Runs {@code write}; if it has not returned within {@code limit}, runs {@code abort}, which must
   * make the write fail, and throws a transient {@link ClassifiedException}. Either the write
   * completes or the watchdog fires, never both: a write that finished just in time is not aborted.
   */
  public static void guard(Duration limit, Runnable abort, Write write) throws SQLException {
    AtomicInteger state = new AtomicInteger(RUNNING);
    ScheduledFuture<?> dog =
        TIMER.schedule(
            () -> {
              if (state.compareAndSet(RUNNING, FIRED)) {
                abort.run();
              }
            },
            limit.toNanos(),
            TimeUnit.NANOSECONDS);
    try {
      write.run();
    } catch (SQLException | RuntimeException e) {
      if (state.get() == FIRED) {
        throw timedOut(limit, e);
      }
      throw e;
    } finally {
      dog.cancel(false);
    }
    if (!state.compareAndSet(RUNNING, DONE)) {
      throw timedOut(limit, null);
    }
  }

  private static ClassifiedException timedOut(Duration limit, Throwable cause) {
    return new ClassifiedException(
        ErrorClass.TRANSIENT,
        "a write to the server did not complete within "
            + limit.toMillis()
            + " ms (the liveness timeout); the network path looks dead",
        null,
        cause);
  }
}
