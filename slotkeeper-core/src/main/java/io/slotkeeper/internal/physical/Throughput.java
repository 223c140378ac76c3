package io.slotkeeper.internal.physical;

import java.util.ArrayDeque;

/**
 * Bytes per second over the last few seconds, from samples of a growing counter (the archive's WAL
 * bytes written). A sample is kept at most every 100 ms and for {@link #WINDOW_NANOS}; the rate is
 * the growth from the oldest kept sample to now, so it falls to 0 within the window once writing
 * stops. Thread-safe: the writer samples, readers ask.
 */
final class Throughput {
  static final long WINDOW_NANOS = 5_000_000_000L;
  private static final long SAMPLE_EVERY_NANOS = 100_000_000L;

  private record Sample(long nanos, long total) {}

  private final ArrayDeque<Sample> samples = new ArrayDeque<>();

  synchronized void record(long nowNanos, long total) {
    Sample last = samples.peekLast();
    if (last == null || nowNanos - last.nanos() >= SAMPLE_EVERY_NANOS) {
      samples.addLast(new Sample(nowNanos, total));
    } else {
      samples.pollLast();
      samples.addLast(new Sample(last.nanos(), total));
    }
    trim(nowNanos);
  }

  synchronized double perSecond(long nowNanos) {
    trim(nowNanos);
    Sample first = samples.peekFirst();
    Sample last = samples.peekLast();
    if (first == null || first == last) {
      return 0;
    }
    long span = Math.max(nowNanos - first.nanos(), 1);
    return (last.total() - first.total()) * 1e9 / span;
  }

  private void trim(long nowNanos) {
    while (samples.size() > 1 && nowNanos - samples.peekFirst().nanos() > WINDOW_NANOS) {
      samples.pollFirst();
    }
  }
}
