package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.time.Instant;

/**
 * Stream Prepare ({@code 'p'}, protocol 3+): a streamed transaction was prepared as {@code gid}.
 */
public record StreamPrepare(
    int flags, Lsn prepareLsn, Lsn endLsn, Instant prepareTime, long xid, String gid)
    implements PgOutputMessage {

  public static final char TAG = 'p';

  public StreamPrepare {
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
