package io.slotkeeper.internal;

import io.slotkeeper.InternalApi;
import io.slotkeeper.SlotkeeperException;

/** An error whose class the code that raised it already knows, with the words a person needs. */
@InternalApi
public final class ClassifiedException extends SlotkeeperException {
  private static final long serialVersionUID = 1L;
  private final ErrorClass errorClass;

  public ClassifiedException(ErrorClass errorClass, String problem, String remediation, Throwable cause) {
    super(problem, remediation, cause);
    this.errorClass = errorClass;
  }

  public ErrorClass errorClass() {
    return errorClass;
  }
}
