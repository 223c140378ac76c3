package io.slotkeeper.internal.supervision;

import io.slotkeeper.FailureKind;

/**
 * Tells bytes altered on the way from a message the server really sends broken: the first goes away
 * on a new connection (the slot sends the message again, intact), the second comes back the same at
 * the same position every time. So a TRANSIENT {@link FailureKind#INVALID_STREAM} failure is
 * retried, and the {@value #LIMIT}th identical one in a row (same problem, which names the WAL
 * position) becomes FATAL: retrying for ever would hold the slot, and its WAL, at that position
 * without anyone being told. Any other invalid-stream failure in between starts the count again; a
 * failure of another kind (a lost connection) neither counts nor resets it.
 */
final class InvalidStreamStreak {
  /** How many identical invalid-stream failures in a row end the source. */
  static final int LIMIT = 3;

  private String lastProblem;
  private int count;

  /** {@code c} itself, or its FATAL form when it is the {@value #LIMIT}th identical in a row. */
  Classification escalate(Classification c) {
    if (c.kind() != FailureKind.INVALID_STREAM || c.errorClass() != ErrorClass.TRANSIENT) {
      return c;
    }
    if (c.problem().equals(lastProblem)) {
      count++;
    } else {
      lastProblem = c.problem();
      count = 1;
    }
    if (count < LIMIT) {
      return c;
    }
    return new Classification(
        ErrorClass.FATAL,
        c.problem() + "; the same " + LIMIT + " times in a row",
        "the message arrives broken every time, so it is not a passing network fault: check that"
            + " the slot uses the pgoutput plugin and that nothing on the path alters bytes (TLS,"
            + " sslmode=require or stronger, detects that), else report it with the server version;"
            + " nothing at or after this position was confirmed. Skipping it loses that"
            + " transaction: only pg_replication_slot_advance past the position does that,"
            + " knowingly",
        FailureKind.INVALID_STREAM);
  }
}
