package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.time.Instant;

/** Rollback Prepared ({@code 'r'}, protocol 3+): ROLLBACK PREPARED of {@code gid}. */
public record RollbackPrepared(
    int flags,
    Lsn prepareEndLsn,
    Lsn rollbackEndLsn,
    Instant prepareTime,
    Instant rollbackTime,
    long xid,
    String gid)
    implements PgOutputMessage {

  public static final char TAG = 'r';

  public RollbackPrepared {
    Checks.nonNull(prepareEndLsn, "prepareEndLsn");
    Checks.nonNull(rollbackEndLsn, "rollbackEndLsn");
    Checks.nonNull(prepareTime, "prepareTime");
    Checks.nonNull(rollbackTime, "rollbackTime");
    Checks.xid(xid, "xid");
    Checks.nonNull(gid, "gid");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
