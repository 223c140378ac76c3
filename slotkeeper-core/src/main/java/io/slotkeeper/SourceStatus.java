package io.slotkeeper;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One snapshot of a source's status: its level, why it is at that level, since when, and for
 * {@link StatusLevel#FAILED} the error that needs a person.
 */
public final class SourceStatus {
  private final StatusLevel level;
  private final String reason;
  private final Instant since;
  private final Throwable failure;

  public SourceStatus(StatusLevel level, String reason, Instant since, Throwable failure) {
    this.level = Objects.requireNonNull(level, "level");
    this.reason = reason == null ? "" : reason;
    this.since = Objects.requireNonNull(since, "since");
    this.failure = failure;
  }

  public StatusLevel level() {
    return level;
  }

  /** A human-readable reason for the current level; empty when there is nothing to say. */
  public String reason() {
    return reason;
  }

  /** When the source entered this level. */
  public Instant since() {
    return since;
  }

  /** The error behind a {@link StatusLevel#FAILED} status. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public String toString() {
    return reason.isEmpty() ? level.toString() : level + " (" + reason + ")";
  }
}
