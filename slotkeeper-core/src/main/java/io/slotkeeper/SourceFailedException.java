package io.slotkeeper;

import java.util.Objects;
import java.util.Optional;

/**
 * The source stopped for good: retrying cannot fix its error. Stream failures and failed {@code
 * waitUntil} calls carry this type; its cause is the original error. Besides the message it keeps
 * what a program needs apart: {@link #kind()}, {@link #problem()}, {@link #remediation()} and, for
 * an invalidated slot, {@link #slotConfirmedLsn()}.
 */
public final class SourceFailedException extends SlotkeeperException {
  private static final long serialVersionUID = 1L;
  private final FailureKind kind;

  /** An Lsn's value (Lsn is not Serializable, exceptions are); null when not known. */
  private final Long slotConfirmedLsn;

  /**
   * @param slotConfirmedLsn for {@link FailureKind#SLOT_INVALIDATED}, the slot's last confirmed
   *     position; null otherwise
   */
  public SourceFailedException(
      FailureKind kind, String problem, String remediation, Lsn slotConfirmedLsn, Throwable cause) {
    super(problem, remediation, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.slotConfirmedLsn = slotConfirmedLsn == null ? null : slotConfirmedLsn.value();
  }

  /** A failure known only by its words: {@link FailureKind#OTHER}, the message is the problem. */
  public SourceFailedException(String message, Throwable cause) {
    this(FailureKind.OTHER, message, null, null, cause);
  }

  /**
   * The same failure with {@code context} (e.g. "source orders failed: ") before its problem: the
   * kind, remediation, slot LSN and cause stay, so a waiter far from the source still has them as
   * fields.
   */
  public SourceFailedException withContext(String context) {
    return new SourceFailedException(
        kind, context + problem(), remediation(), slotConfirmedLsn().orElse(null), getCause());
  }

  /** What kind of problem it is. */
  public FailureKind kind() {
    return kind;
  }

  /**
   * For {@link FailureKind#SLOT_INVALIDATED}: the slot's last confirmed position, up to which the
   * consumer has every change; changes after it can no longer be streamed. Empty otherwise.
   */
  public Optional<Lsn> slotConfirmedLsn() {
    return Optional.ofNullable(slotConfirmedLsn).map(Lsn::of);
  }
}
