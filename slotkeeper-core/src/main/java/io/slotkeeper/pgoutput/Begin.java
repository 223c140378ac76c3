package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.time.Instant;

/**
 * Begin ({@code 'B'}): start of a non-streamed transaction. {@code finalLsn} is its commit record's
 * LSN.
 */
public record Begin(Lsn finalLsn, Instant commitTime, long xid) implements PgOutputMessage {

  public static final char TAG = 'B';

  public Begin {
    Checks.nonNull(finalLsn, "finalLsn");
    Checks.nonNull(commitTime, "commitTime");
    Checks.xid(xid, "xid");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
