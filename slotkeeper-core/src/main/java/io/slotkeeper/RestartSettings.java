package io.slotkeeper;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * How a source, or a cluster singleton's run, is started again after it ended: an exponential
 * back-off with jitter, reset after a long enough good run (the {@code restart} block of both
 * {@code slotkeeper.source} and {@code slotkeeper.cluster}). Immutable; every {@code withXxx}
 * returns a changed copy.
 *
 * <p>{@link #delay} is the one back-off computation: the core's reconnects and the cluster's
 * restarts both call it, so both keep the same promise that no delay exceeds {@code max-backoff}.
 */
public final class RestartSettings {
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final double randomFactor;
  private final Duration resetAfter;

  private RestartSettings(
      Duration minBackoff, Duration maxBackoff, double randomFactor, Duration resetAfter) {
    this.minBackoff = Objects.requireNonNull(minBackoff, "minBackoff");
    this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
    this.randomFactor = randomFactor;
    this.resetAfter = Objects.requireNonNull(resetAfter, "resetAfter");
  }

  /** Checked by the settings that hold it, see {@link #isConsistent()}. */
  public static RestartSettings create(
      Duration minBackoff, Duration maxBackoff, double randomFactor, Duration resetAfter) {
    return new RestartSettings(minBackoff, maxBackoff, randomFactor, resetAfter);
  }

  /**
   * The {@code restart} block of {@code section}, a section shaped like {@code slotkeeper.source}
   * or {@code slotkeeper.cluster}: {@code restart.min-backoff}, {@code restart.max-backoff}, {@code
   * restart.random-factor}, {@code restart.reset-after}.
   *
   * @throws com.typesafe.config.ConfigException when a key is missing or malformed
   */
  public static RestartSettings create(Config section) {
    return new RestartSettings(
        section.getDuration("restart.min-backoff"),
        section.getDuration("restart.max-backoff"),
        section.getDouble("restart.random-factor"),
        section.getDuration("restart.reset-after"));
  }

  /** The {@code restart} block, read by a section's {@link SettingsReader}. */
  @InternalApi
  public static RestartSettings read(SettingsReader section) {
    return new RestartSettings(
        section.duration("restart.min-backoff"),
        section.duration("restart.max-backoff"),
        section.number("restart.random-factor"),
        section.duration("restart.reset-after"));
  }

  /**
   * Throws, naming the key under {@code sectionPath} and the fix, unless {@link #isConsistent()}
   * and {@code reset-after} is not negative.
   */
  @InternalApi
  public void check(String sectionPath) {
    String p = sectionPath + ".restart.";
    if (minBackoff.isNegative()) {
      throw new IllegalArgumentException(
          p + "min-backoff must not be negative. Fix: e.g. min-backoff = 1s");
    }
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException(
          p
              + "max-backoff ("
              + maxBackoff
              + ") must be at least min-backoff ("
              + minBackoff
              + "). Fix: raise max-backoff or lower min-backoff");
    }
    if (randomFactor < 0 || randomFactor > 1) {
      throw new IllegalArgumentException(
          p + "random-factor must be within 0..1. Fix: e.g. random-factor = 0.2");
    }
    if (resetAfter.isNegative()) {
      throw new IllegalArgumentException(
          p + "reset-after must not be negative. Fix: e.g. reset-after = 30s");
    }
  }

  /** The first delay. */
  public Duration minBackoff() {
    return minBackoff;
  }

  /** No delay is longer than this, jitter included. */
  public Duration maxBackoff() {
    return maxBackoff;
  }

  /** Delays are spread by +/- this fraction (0..1). */
  public double randomFactor() {
    return randomFactor;
  }

  /** After a good run this long, the back-off starts again from {@link #minBackoff()}. */
  public Duration resetAfter() {
    return resetAfter;
  }

  public RestartSettings withBackoff(Duration min, Duration max, double randomFactor) {
    return new RestartSettings(min, max, randomFactor, resetAfter);
  }

  public RestartSettings withResetAfter(Duration v) {
    return new RestartSettings(minBackoff, maxBackoff, randomFactor, v);
  }

  /**
   * {@code 0 <= min-backoff <= max-backoff} and {@code 0 <= random-factor <= 1}: what {@link
   * #delay} needs.
   */
  public boolean isConsistent() {
    return !minBackoff.isNegative()
        && maxBackoff.compareTo(minBackoff) >= 0
        && randomFactor >= 0
        && randomFactor <= 1;
  }

  /**
   * The delay before attempt number {@code attempt} (0 for the first retry): {@code min *
   * 2^attempt} capped at max, spread by +/- randomFactor, and never above max.
   *
   * @param random a draw from 0 to 1 (e.g. {@code ThreadLocalRandom.current().nextDouble()}); 0.5
   *     means no spread
   */
  public Duration delay(int attempt, double random) {
    double base = minBackoff.toNanos() * Math.pow(2, Math.min(attempt, 62));
    double capped = Math.min(base, maxBackoff.toNanos());
    // Jitter spreads retries of many sources (or nodes) after a shared failure such as a failover.
    double jittered = capped * (1 + randomFactor * (2 * random - 1));
    return Duration.ofNanos((long) Math.max(0, Math.min(jittered, maxBackoff.toNanos())));
  }

  @Override
  public String toString() {
    return "RestartSettings(minBackoff="
        + minBackoff
        + ", maxBackoff="
        + maxBackoff
        + ", randomFactor="
        + randomFactor
        + ", resetAfter="
        + resetAfter
        + ")";
  }
}
