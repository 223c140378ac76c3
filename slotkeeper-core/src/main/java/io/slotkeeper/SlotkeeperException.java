package io.slotkeeper;

/**
 * Base of Slotkeeper's own errors. Every instance says what went wrong and, where a person can
 * fix it, how ({@link #remediation()}); the message already includes the remediation.
 */
public class SlotkeeperException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String remediation;

  public SlotkeeperException(String problem, String remediation, Throwable cause) {
    super(remediation == null || remediation.isEmpty() ? problem : problem + ". Fix: " + remediation, cause);
    this.remediation = remediation == null ? "" : remediation;
  }

  public SlotkeeperException(String problem, Throwable cause) {
    this(problem, null, cause);
  }

  /** What a person can do about it; empty when nothing but retrying helps. */
  public String remediation() {
    return remediation;
  }
}
