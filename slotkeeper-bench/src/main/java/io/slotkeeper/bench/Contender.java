package io.slotkeeper.bench;

/**
 * One way of reading a slot: Slotkeeper's source, or the thin pgjdbc baseline. Every end-to-end
 * benchmark runs both through this interface with the same listener, so the only difference between
 * them is the reader.
 */
interface Contender {

  /** What a running reader reports, on its own consumer thread. */
  interface Listener {
    /**
     * A row change: {@code kind} is 'I', 'U' or 'D'; {@code commitMicros} its commit time, Unix
     * epoch µs.
     */
    void change(char kind, long commitMicros);

    /** The end of a transaction (after its changes). */
    void commit();
  }

  /** A started reader. */
  interface Running extends AutoCloseable {
    /** Stop taking changes from the stream (only for readers started stallable). */
    void stall();

    void resume();

    /** An error the reader died of, or null. */
    Throwable failure();

    @Override
    void close() throws Exception;
  }

  String name();

  /**
   * What {@code done} failed with (unwrapped from a CompletionException), or null while it has not
   * failed: how a reader's {@link Running#failure()} reads the future its loop completes.
   */
  static Throwable failureOf(java.util.concurrent.CompletableFuture<?> done) {
    if (!done.isCompletedExceptionally()) {
      return null;
    }
    Throwable e = done.handle((v, x) -> x).join();
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause()
        : e;
  }

  /**
   * Starts reading {@code slot} (which must exist) through {@code publication}; returns once the
   * stream is open. {@code stallable} adds what the stall benchmark needs, and only then.
   */
  Running start(BenchDb db, String slot, String publication, Listener listener, boolean stallable)
      throws Exception;
}
