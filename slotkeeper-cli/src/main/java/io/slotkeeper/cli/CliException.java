package io.slotkeeper.cli;

/**
 * A failure the program reports as one line on stderr, with the exit code to end with. The message
 * says what went wrong and, after "Fix:", what the person can do about it.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Bad command line, bad configuration file: the person has to change how they call us. */
  static final int USAGE = 2;

  /** Something failed at run time: the database, the network, the output. */
  static final int RUNTIME = 1;

  private final int exitCode;

  CliException(int exitCode, String message) {
    this(exitCode, message, null);
  }

  CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  static CliException usage(String problem, String fix) {
    return new CliException(USAGE, problem + ". Fix: " + fix);
  }

  static CliException runtime(String problem, String fix) {
    return new CliException(RUNTIME, problem + ". Fix: " + fix);
  }

  static CliException runtime(String problem, String fix, Throwable cause) {
    return new CliException(RUNTIME, problem + ". Fix: " + fix, cause);
  }

  int exitCode() {
    return exitCode;
  }
}
