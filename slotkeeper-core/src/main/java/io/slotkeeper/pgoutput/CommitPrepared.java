package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.time.Instant;

/** Commit Prepared ({@code 'K'}, protocol 3+): COMMIT PREPARED of {@code gid}. */
public record CommitPrepared(
    int flags, Lsn commitLsn, Lsn endLsn, Instant commitTime, long xid, String gid)
    implements PgOutputMessage {

  public static final char TAG = 'K';

  public CommitPrepared {
    Checks.nonNull(commitLsn, "commitLsn");
    Checks.nonNull(endLsn, "endLsn");
    Checks.nonNull(commitTime, "commitTime");
    Checks.xid(xid, "xid");
    Checks.nonNull(gid, "gid");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
