package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.time.Instant;

/**
 * Commit ({@code 'C'}). {@code endLsn} is the position just past the commit record: the value to
 * confirm as flushed once this transaction is durably applied.
 */
public record Commit(int flags, Lsn commitLsn, Lsn endLsn, Instant commitTime)
    implements PgOutputMessage {

  public static final char TAG = 'C';

  public Commit {
    Checks.nonNull(commitLsn, "commitLsn");
    Checks.nonNull(endLsn, "endLsn");
    Checks.nonNull(commitTime, "commitTime");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
