package io.slotkeeper.internal;

import io.slotkeeper.InternalApi;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/** Exponential back-off with jitter: {@code min * 2^attempt}, capped at {@code max}, then spread by ±randomFactor. */
@InternalApi
public final class Backoff {
  private final Duration min;
  private final Duration max;
  private final double randomFactor;
  private final DoubleSupplier random;

  public Backoff(Duration min, Duration max, double randomFactor, DoubleSupplier random) {
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("back-off needs 0 <= min <= max, got min " + min + ", max " + max);
    }
    if (randomFactor < 0 || randomFactor > 1) {
      throw new IllegalArgumentException("back-off random factor must be within 0..1, got " + randomFactor);
    }
    this.min = min;
    this.max = max;
    this.randomFactor = randomFactor;
    this.random = random;
  }

  /** The delay before attempt number {@code attempt} (0 for the first retry). */
  public Duration delay(int attempt) {
    double base = min.toNanos() * Math.pow(2, Math.min(attempt, 62));
    double capped = Math.min(base, max.toNanos());
    // Jitter spreads reconnects of many sources after a shared failure such as a failover.
    double jittered = capped * (1 + randomFactor * (2 * random.getAsDouble() - 1));
    return Duration.ofNanos((long) Math.max(0, Math.min(jittered, max.toNanos())));
  }
}
