package io.slotkeeper.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starting a contender and waiting for its counter, watching for a reader that died meanwhile. */
final class Drain {
  private Drain() {}

  /**
   * Waits until {@code counter} reached its target; returns the System.nanoTime() of that moment.
   */
  static long await(Contender.Running running, Counter counter, long timeoutSeconds)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (true) {
      try {
        return counter.reached.get(100, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        Throwable failure = running.failure();
        if (failure != null) {
          throw new IllegalStateException(
              "reader failed after " + counter.changes() + " changes", failure);
        }
        if (System.nanoTime() > deadline) {
          throw new TimeoutException(
              "no end after " + timeoutSeconds + " s: " + counter.changes() + " changes seen");
        }
      }
    }
  }
}
