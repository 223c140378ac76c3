package io.slotkeeper;

/**
 * The source stopped for good: retrying cannot fix its error. Stream failures and failed
 * {@code waitUntil} calls carry this type; its cause is the original error.
 */
public final class SourceFailedException extends SlotkeeperException {
  private static final long serialVersionUID = 1L;

  public SourceFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
