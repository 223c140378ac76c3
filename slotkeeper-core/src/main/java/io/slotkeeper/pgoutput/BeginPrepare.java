package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.time.Instant;

/**
 * Begin Prepare ({@code 'b'}, protocol 3+, two-phase): start of a transaction that will be
 * prepared.
 */
public record BeginPrepare(Lsn prepareLsn, Lsn endLsn, Instant prepareTime, long xid, String gid)
    implements PgOutputMessage {

  public static final char TAG = 'b';

  public BeginPrepare {
    Checks.nonNull(prepareLsn, "prepareLsn");
    Checks.nonNull(endLsn, "endLsn");
    Checks.nonNull(prepareTime, "prepareTime");
    Checks.xid(xid, "xid");
    Checks.nonNull(gid, "gid");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
