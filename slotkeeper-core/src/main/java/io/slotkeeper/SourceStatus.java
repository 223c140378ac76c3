package io.slotkeeper;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One snapshot of a source's status: its level, why it is at that level, since when, for {@link
 * StatusLevel#FAILED} the error that needs a person, and for {@link StatusLevel#STARTING} what the
 * source waits for. The reason is for people; {@link #error()} and {@link #waiting()} hold the same
 * in fields, for programs.
 */
public final class SourceStatus {
  private final StatusLevel level;
  private final String reason;
  private final Instant since;
  private final Throwable failure;
  private final SourceFailedException error;
  private final Waiting waiting;

  public SourceStatus(StatusLevel level, String reason, Instant since, Throwable failure) {
    this(level, reason, since, failure, null, null);
  }

  /**
   * @param error for FAILED, the structured failure (its cause is {@code failure}); else null
   * @param waiting what a STARTING source waits for; else null
   */
  public SourceStatus(
      StatusLevel level,
      String reason,
      Instant since,
      Throwable failure,
      SourceFailedException error,
      Waiting waiting) {
    this.level = Objects.requireNonNull(level, "level");
    this.reason = reason == null ? "" : reason;
    this.since = Objects.requireNonNull(since, "since");
    this.failure = failure;
    this.error = error;
    this.waiting = waiting;
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

  /**
   * For {@link StatusLevel#FAILED}: the failure as the stream fails with it, with its kind, problem
   * and remediation apart (its message is {@link #reason()}).
   */
  public Optional<SourceFailedException> error() {
    return Optional.ofNullable(error);
  }

  /**
   * For {@link StatusLevel#STARTING}: what the source waits for, when it waits for something a
   * person may act on.
   */
  public Optional<Waiting> waiting() {
    return Optional.ofNullable(waiting);
  }

  @Override
  public String toString() {
    return reason.isEmpty() ? level.toString() : level + " (" + reason + ")";
  }
}
