package io.slotkeeper.testkit;

/** Anything the testkit could not do: start a server, run a command, see an expected state in time. */
public class PostgresTestkitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PostgresTestkitException(String message) {
        super(message);
    }

    public PostgresTestkitException(String message, Throwable cause) {
        super(message, cause);
    }
}
