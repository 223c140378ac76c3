package io.slotkeeper.internal.connection;

import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.pgoutput.PgOutputDecodeException;

/**
 * What a message that does not decode (or breaks pgoutput's order) means for the connection: the
 * bytes may have been altered on the way (a faulty path or middlebox; TLS would have caught it) or
 * the server really sent them. Nothing of it is delivered, and the connection ends as a TRANSIENT
 * failure naming the WAL position, so the next connection receives the message again from the slot.
 * Telling the two causes apart is the {@link io.slotkeeper.internal.supervision.Restarter}'s job:
 * it gives up when the identical failure at the same position comes back, as only a real
 * server-side problem would.
 */
final class InvalidStream {
  private InvalidStream() {}

  /**
   * The failure for {@code error}, thrown while handling the message at {@code walStart} (or, when
   * that is unknown or 0/0, the first message after {@code lastReceived}). Failures of other kinds
   * pass through unchanged.
   */
  static RuntimeException at(Lsn walStart, Lsn lastReceived, RuntimeException error) {
    String detail;
    if (error instanceof PgOutputDecodeException d) {
      detail = d.getMessage();
    } else if (error instanceof ClassifiedException c
        && c.classification().kind() == FailureKind.INVALID_STREAM) {
      detail = c.classification().problem();
    } else {
      return error;
    }
    String where =
        walStart != null && walStart.value() != 0
            ? "at LSN " + walStart
            : "in the first message after LSN " + lastReceived;
    return new ClassifiedException(
        new Classification(
            ErrorClass.TRANSIENT,
            "the server sent bytes that are not valid pgoutput " + where + ": " + detail,
            "nothing of it was delivered; the message is received again from the slot",
            FailureKind.INVALID_STREAM),
        error);
  }
}
