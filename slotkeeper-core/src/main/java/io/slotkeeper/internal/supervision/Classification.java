package io.slotkeeper.internal.supervision;

import io.slotkeeper.FailureKind;
import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import io.slotkeeper.SlotkeeperException;
import io.slotkeeper.SourceFailedException;

/**
 * What the engine knows about an error, kept in fields from where it is raised or classified to
 * where it is shown: how the Restarter treats it, the problem and its fix in words, the kind for
 * programs, and the particulars some kinds have (the invalidated slot's last confirmed position,
 * the backend that holds a busy slot).
 *
 * @param remediation empty when nothing but retrying helps
 * @param slotConfirmedLsn for {@link FailureKind#SLOT_INVALIDATED}; else null
 * @param holder for a busy slot, who holds it when known; else null
 */
@InternalApi
public record Classification(
    ErrorClass errorClass,
    String problem,
    String remediation,
    FailureKind kind,
    Lsn slotConfirmedLsn,
    SlotHolder holder) {

  /** The backend holding a slot: its PID, and its application name when it has one (or null). */
  public record SlotHolder(int pid, String applicationName) {}

  public Classification {
    remediation = remediation == null ? "" : remediation;
  }

  public Classification(
      ErrorClass errorClass, String problem, String remediation, FailureKind kind) {
    this(errorClass, problem, remediation, kind, null, null);
  }

  /**
   * The words for a person: the problem, then the fix; exactly the message of the exception users
   * receive.
   */
  public String reason() {
    return new SlotkeeperException(problem, remediation, null).getMessage();
  }

  /** The exception a FATAL classification fails the source with. */
  public SourceFailedException toFailure(Throwable cause) {
    return new SourceFailedException(kind, problem, remediation, slotConfirmedLsn, cause);
  }
}
