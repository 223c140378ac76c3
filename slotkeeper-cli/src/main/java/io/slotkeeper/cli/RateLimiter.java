package io.slotkeeper.cli;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A token bucket per client address. The table of buckets is bounded (the oldest address is
 * forgotten first), so many addresses cost a fixed amount of memory; a forgotten address starts
 * again with a full bucket, which only ever lets a little more through.
 */
final class RateLimiter {
  private static final int MAX_ADDRESSES = 1024;

  private final double perNano;
  private final double burst;
  private final Map<InetAddress, double[]> buckets =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, double[]> eldest) {
          return size() > MAX_ADDRESSES;
        }
      };

  RateLimiter(double perSecond, int burst) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
  }

  /** True when {@code address} may make a request now (and takes a token for it). */
  synchronized boolean tryAcquire(InetAddress address, long nowNanos) {
    // {tokens, last refill time}
    double[] b = buckets.computeIfAbsent(address, a -> new double[] {burst, nowNanos});
    b[0] = Math.min(burst, b[0] + (nowNanos - (long) b[1]) * perNano);
    b[1] = nowNanos;
    if (b[0] >= 1) {
      b[0] -= 1;
      return true;
    }
    return false;
  }
}
