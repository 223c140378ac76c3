package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.time.Instant;

/**
 * Prepare ({@code 'P'}, protocol 3+): the transaction begun by BeginPrepare is now prepared as
 * {@code gid}.
 */
public record Prepare(
    int flags, Lsn prepareLsn, Lsn endLsn, Instant prepareTime, long xid, String gid)
    implements PgOutputMessage {

  public static final char TAG = 'P';

  public Prepare {
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
