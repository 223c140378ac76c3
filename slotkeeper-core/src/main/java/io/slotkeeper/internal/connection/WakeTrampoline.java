package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the thread that saw data arrive carry it onward itself, instead of handing it to another
 * thread at every actor.
 *
 * <p>Why: a {@link ReadinessWaiter}'s thread has just been woken by the kernel and holds a core.
 * Its news goes to the ConnectionActor, which reads and decodes, then to the SourceActor, which
 * hands the envelopes to the stream. Each of those steps is a message, and a message to an idle
 * actor normally wakes a parked pool thread, which then waits for a core of its own: on a busy
 * machine that wait is what the commit-to-consumer latency's tail is made of (the benchmark
 * measured 20 µs at the median and up to 350 µs at p99 per such hand-off). While the waiter's
 * callback runs inside {@link #run}, an actor scheduled on a dispatcher whose executor goes through
 * {@link #offer} (the connection dispatcher, {@link ConnectionExecutorConfigurator}) is queued on
 * this thread and run here once the callback returns, in order.
 *
 * <p>What stays as it was: an actor's messages are still processed one at a time and in order,
 * because that is the mailbox's doing, whichever thread runs it; the ConnectionActor is still the
 * only one that reads the stream (the waiter only peeks while lent the input). What runs here is
 * bounded ({@link #MAX_TASKS}); the rest goes to the pool as it would have. An error that escapes a
 * task (fatal to Pekko) is raised on that task's pool, where the actor system's handler sees it, as
 * it would have without the trampoline.
 */
@InternalApi
public final class WakeTrampoline {
  private static final Logger log = LoggerFactory.getLogger(WakeTrampoline.class);

  /**
   * How many mailbox runs one wake may do on the waiter's thread before the rest go to the pool:
   * enough for the ConnectionActor and the SourceActor to pass a batch on (one message each, with
   * throughput 1 a mailbox run is one message), small enough that a busy stream never keeps its
   * waiter from waiting for long.
   */
  static final int MAX_TASKS = 16;

  private static final ThreadLocal<Tasks> CURRENT = new ThreadLocal<>();

  private WakeTrampoline() {}

  /**
   * Runs {@code wake} on this thread, then every task {@linkplain #offer offered} meanwhile (and by
   * those tasks), up to {@link #MAX_TASKS}; the rest go to their executors. Not reentrant: a nested
   * call runs its {@code wake} in the outer one's queue.
   */
  static void run(Runnable wake) {
    if (CURRENT.get() != null) {
      wake.run();
      return;
    }
    Tasks tasks = new Tasks();
    CURRENT.set(tasks);
    Error fatal = null;
    Executor fatalTo = null;
    try {
      wake.run();
      int ran = 0;
      Tasks.Entry next;
      while (ran < MAX_TASKS && (next = tasks.queue.poll()) != null) {
        ran++;
        try {
          next.task.run();
        } catch (RuntimeException e) {
          // A mailbox run handles its actor's failures itself; this is not expected, and it must
          // not end the waiter.
          log.error("A task run on a waiter's thread failed", e);
        } catch (Error e) {
          // What escapes a mailbox run is what Pekko deems fatal (an actor's own failures went to
          // its supervisor). On a pool thread it would reach the actor system's handler, which
          // ends the system or the JVM (jvm-exit-on-fatal-error): raise it there, not here, where
          // it would only end this waiter. Nothing more runs on this thread.
          fatal = e;
          fatalTo = next.fallback;
          break;
        }
      }
    } finally {
      CURRENT.remove();
      // Over the bound, a fatal error, or the wake threw: what is left still runs, on its own
      // executor.
      Tasks.Entry left;
      while ((left = tasks.queue.poll()) != null) {
        handOver(left.fallback, left.task);
      }
      if (fatal != null) {
        Error raised = fatal;
        handOver(
            fatalTo,
            () -> {
              throw raised;
            });
      }
    }
  }

  private static void handOver(Executor executor, Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      // The pool is shutting down (the actor system is): what it would have run is moot.
      log.debug("A task handed back from a waiter's thread was refused", e);
    }
  }

  /**
   * Queues {@code task} on this thread when it is inside {@link #run}, and says so; false when the
   * caller must execute it as usual.
   *
   * @param fallback where the task goes if this thread does not get to it
   */
  public static boolean offer(Runnable task, Executor fallback) {
    Tasks tasks = CURRENT.get();
    if (tasks == null) {
      return false;
    }
    tasks.queue.add(new Tasks.Entry(task, fallback));
    return true;
  }

  private static final class Tasks {
    record Entry(Runnable task, Executor fallback) {}

    final ArrayDeque<Entry> queue = new ArrayDeque<>();
  }
}
