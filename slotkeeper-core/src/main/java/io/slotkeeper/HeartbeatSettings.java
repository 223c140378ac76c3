package io.slotkeeper;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Heartbeat messages that keep the slot of a quiet database moving (the {@code heartbeat} block of
 * reference.conf). Immutable; every {@code withXxx} returns a changed copy.
 */
public final class HeartbeatSettings {
  private final Optional<Duration> interval;
  private final String prefix;
  private final boolean deliver;

  HeartbeatSettings(Optional<Duration> interval, String prefix, boolean deliver) {
    this.interval = Objects.requireNonNull(interval, "interval");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.deliver = deliver;
  }

  /** Write a heartbeat after this long without a delivery; empty means no heartbeat. */
  public Optional<Duration> interval() {
    return interval;
  }

  /** The prefix of the heartbeat messages, by which they are recognized. */
  public String prefix() {
    return prefix;
  }

  /** Deliver heartbeat transactions downstream too. */
  public boolean deliver() {
    return deliver;
  }

  /** Heartbeat every {@code v} of silence; null turns it off. */
  public HeartbeatSettings withInterval(Duration v) {
    return new HeartbeatSettings(Optional.ofNullable(v), prefix, deliver);
  }

  public HeartbeatSettings withPrefix(String v) {
    return new HeartbeatSettings(interval, v, deliver);
  }

  public HeartbeatSettings withDeliver(boolean v) {
    return new HeartbeatSettings(interval, prefix, v);
  }

  @Override
  public String toString() {
    return "HeartbeatSettings(interval="
        + interval.map(Duration::toString).orElse("off")
        + ", prefix="
        + prefix
        + ", deliver="
        + deliver
        + ")";
  }
}
