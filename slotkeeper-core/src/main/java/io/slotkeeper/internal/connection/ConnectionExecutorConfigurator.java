package io.slotkeeper.internal.connection;

import com.typesafe.config.Config;
import io.slotkeeper.InternalApi;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.dispatch.DispatcherPrerequisites;
import org.apache.pekko.dispatch.ExecutorServiceConfigurator;
import org.apache.pekko.dispatch.ExecutorServiceFactory;
import org.apache.pekko.dispatch.ThreadPoolExecutorConfigurator;

/**
 * The connection dispatcher's executor ({@code executor = } this class's name in its config): the
 * thread pool that its {@code thread-pool-executor} section describes, except that work scheduled
 * from a waiter's thread while it carries a wake runs on that thread ({@link WakeTrampoline}).
 *
 * <p>Pekko builds it from the dispatcher's whole config section and its prerequisites; the pool is
 * Pekko's own {@link ThreadPoolExecutorConfigurator}, so every {@code thread-pool-executor} key
 * keeps its meaning.
 */
@InternalApi
public final class ConnectionExecutorConfigurator extends ExecutorServiceConfigurator {
  private final ThreadPoolExecutorConfigurator pool;

  public ConnectionExecutorConfigurator(Config config, DispatcherPrerequisites prerequisites) {
    super(config, prerequisites);
    this.pool =
        new ThreadPoolExecutorConfigurator(config.getConfig("thread-pool-executor"), prerequisites);
  }

  @Override
  public ExecutorServiceFactory createExecutorServiceFactory(String id, ThreadFactory threads) {
    ExecutorServiceFactory inner = pool.createExecutorServiceFactory(id, threads);
    return () -> new WakeAwareExecutor(inner.createExecutorService());
  }

  /** The pool, with {@link #execute} asking the trampoline first. */
  static final class WakeAwareExecutor extends AbstractExecutorService {
    private final ExecutorService pool;

    WakeAwareExecutor(ExecutorService pool) {
      this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
      if (!WakeTrampoline.offer(task, pool)) {
        pool.execute(task);
      }
    }

    @Override
    public void shutdown() {
      pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return pool.awaitTermination(timeout, unit);
    }
  }
}
