package io.slotkeeper.internal.connection;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs CREATE_REPLICATION_SLOT calls, each on a thread of its own. Why not a dispatcher: creation
 * waits for every transaction that was running when it began, for as long as they run. On the
 * connection dispatcher such waits took the threads streaming connections need for their keepalives
 * (their walsenders then timed out); on any fixed pool, as many waiting creations as threads would
 * queue every further creation behind them. One thread per running creation is bounded by the
 * number of sources creating a slot at the same moment, and the threads end after a minute without
 * work.
 */
final class SlotCreationExecutor {
  /** A blocking call on a replication connection. */
  interface Call<T> {
    T run() throws SQLException;
  }

  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService EXECUTOR =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "slotkeeper-slot-creation-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private SlotCreationExecutor() {}

  /** Starts {@code call} on its own thread; the future fails with the call's exception. */
  static <T> CompletableFuture<T> run(Call<T> call) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return call.run();
          } catch (SQLException e) {
            throw new CompletionException(e);
          }
        },
        EXECUTOR);
  }
}
