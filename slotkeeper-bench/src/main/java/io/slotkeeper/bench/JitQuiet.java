package io.slotkeeper.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;

/**
 * Waits until this JVM's JIT compilers have gone quiet, so that a steady-state measurement does not
 * include the compiler's work: on a 2-core machine a compiler thread takes one core from the
 * walsender, the writer's backend and the reader, and the latency benchmark saw whole transactions
 * arrive several milliseconds late while it ran (p99 4.7 ms after a 5 s warm-up, 3.7 ms after 25 s,
 * the thin loop 2.5–2.7 ms in both). Every contender waits the same way, so none is measured while
 * the compiler works for it.
 */
final class JitQuiet {
  private JitQuiet() {}

  /**
   * Returns once the compilers' total time grew by at most {@code slackMillis} over {@code
   * quietMillis}, or after {@code maxMillis}; the milliseconds waited. Returns at once when the JVM
   * does not report compilation time.
   */
  static long await(long quietMillis, long slackMillis, long maxMillis)
      throws InterruptedException {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported() || maxMillis <= 0) {
      return 0;
    }
    long start = System.nanoTime();
    long step = Math.max(50, quietMillis / 4);
    // Samples of the total over the last quietMillis: quiet when the oldest and newest are close.
    ArrayDeque<long[]> window = new ArrayDeque<>();
    while (true) {
      long now = System.nanoTime();
      long total = jit.getTotalCompilationTime();
      window.addLast(new long[] {now, total});
      while (now - window.peekFirst()[0] > quietMillis * 1_000_000L) {
        window.pollFirst();
      }
      long waited = (now - start) / 1_000_000L;
      boolean fullWindow = waited >= quietMillis;
      if (fullWindow && total - window.peekFirst()[1] <= slackMillis) {
        return waited;
      }
      if (waited >= maxMillis) {
        return waited;
      }
      Thread.sleep(step);
    }
  }
}
