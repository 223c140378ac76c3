package io.slotkeeper;

import java.time.Duration;
import java.util.Objects;

/**
 * How often the slot's retained WAL is read, and when it is worth a warning (the {@code retention}
 * block of reference.conf). Immutable; every {@code withXxx} returns a changed copy.
 */
public final class RetentionSettings {
  private final Duration checkInterval;
  private final long safeWalSizeWarningBytes;

  RetentionSettings(Duration checkInterval, long safeWalSizeWarningBytes) {
    this.checkInterval = Objects.requireNonNull(checkInterval, "checkInterval");
    this.safeWalSizeWarningBytes = safeWalSizeWarningBytes;
  }

  /** How often the retention figures are read into the progress. */
  public Duration checkInterval() {
    return checkInterval;
  }

  /** Warn when safe_wal_size falls below this many bytes. */
  public long safeWalSizeWarningBytes() {
    return safeWalSizeWarningBytes;
  }

  public RetentionSettings withCheckInterval(Duration v) {
    return new RetentionSettings(v, safeWalSizeWarningBytes);
  }

  public RetentionSettings withSafeWalSizeWarningBytes(long v) {
    return new RetentionSettings(checkInterval, v);
  }

  @Override
  public String toString() {
    return "RetentionSettings(checkInterval="
        + checkInterval
        + ", safeWalSizeWarningBytes="
        + safeWalSizeWarningBytes
        + ")";
  }
}
