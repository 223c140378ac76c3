package io.slotkeeper.internal.supervision;

import io.slotkeeper.FailureKind;
import io.slotkeeper.InternalApi;
import io.slotkeeper.SlotkeeperException;

/** An error whose class the code that raised it already knows, with the words a person needs. */
@InternalApi
public final class ClassifiedException extends SlotkeeperException {
  private static final long serialVersionUID = 1L;
  private final transient Classification classification;

  public ClassifiedException(Classification classification, Throwable cause) {
    super(classification.problem(), classification.remediation(), cause);
    this.classification = classification;
  }

  /** An error of no particular {@link FailureKind} (a lost connection, a timeout). */
  public ClassifiedException(
      ErrorClass errorClass, String problem, String remediation, Throwable cause) {
    this(new Classification(errorClass, problem, remediation, FailureKind.OTHER), cause);
  }

  public ErrorClass errorClass() {
    return classification.errorClass();
  }

  public Classification classification() {
    return classification;
  }
}
