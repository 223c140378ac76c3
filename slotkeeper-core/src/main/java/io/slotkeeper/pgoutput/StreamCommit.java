package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.time.Instant;

/** Stream Commit ({@code 'c'}, protocol 2+): the streamed transaction {@code xid} committed. */
public record StreamCommit(long xid, int flags, Lsn commitLsn, Lsn endLsn, Instant commitTime)
    implements PgOutputMessage {

  public static final char TAG = 'c';

  public StreamCommit {
    Checks.xid(xid, "xid");
    Checks.nonNull(commitLsn, "commitLsn");
    Checks.nonNull(endLsn, "endLsn");
    Checks.nonNull(commitTime, "commitTime");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
