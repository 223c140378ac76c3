package io.slotkeeper.postgres;

/**
 * Anything PostgresServer could not do: start a server, run a command, see an expected state in
 * time.
 */
public class PostgresServerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PostgresServerException(String message) {
    super(message);
  }

  public PostgresServerException(String message, Throwable cause) {
    super(message, cause);
  }
}
