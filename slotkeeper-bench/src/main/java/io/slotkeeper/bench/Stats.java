package io.slotkeeper.bench;

import java.util.Arrays;

/** Small statistics helpers: exact percentiles over all samples, medians of runs. */
final class Stats {
  private Stats() {}

  /** The {@code p}-th percentile (0..100) of {@code sorted}, nearest-rank. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
