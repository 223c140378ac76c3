package io.slotkeeper;

/**
 * Base of Slotkeeper's own errors. Every instance says what went wrong ({@link #problem()}) and,
 * where a person can fix it, how ({@link #remediation()}); the message is both together, as
 * "problem. Fix: remediation".
 */
public class SlotkeeperException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String problem;
  private final String remediation;

  public SlotkeeperException(String problem, String remediation, Throwable cause) {
    super(message(problem, remediation), cause);
    this.problem = problem == null ? "" : problem;
    this.remediation = remediation == null ? "" : remediation;
  }

  public SlotkeeperException(String problem, Throwable cause) {
    this(problem, null, cause);
  }

  /** The words of the message: the problem, then the fix when there is one. */
  static String message(String problem, String remediation) {
    return remediation == null || remediation.isEmpty()
        ? problem
        : problem + ". Fix: " + remediation;
  }

  /** What went wrong, without the fix. */
  public String problem() {
    return problem;
  }

  /** What a person can do about it; empty when nothing but retrying helps. */
  public String remediation() {
    return remediation;
  }
}
