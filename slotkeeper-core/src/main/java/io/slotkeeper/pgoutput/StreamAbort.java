package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.time.Instant;

/**
 * Stream Abort ({@code 'A'}, protocol 2+): the streamed (sub)transaction {@code subXid} of {@code
 * xid} aborted; {@code subXid == xid} means the whole top-level transaction. The abort LSN and time
 * are only on the wire with protocol 4 and {@code streaming = parallel}; otherwise they are {@link
 * Lsn#INVALID} and null.
 */
public record StreamAbort(long xid, long subXid, Lsn abortLsn, Instant abortTime)
    implements PgOutputMessage {

  public static final char TAG = 'A';

  public StreamAbort {
    Checks.xid(xid, "xid");
    Checks.xid(subXid, "subXid");
    Checks.nonNull(abortLsn, "abortLsn");
  }

  /** True if the abort LSN and time were sent (protocol 4, parallel streaming). */
  public boolean hasAbortPosition() {
    return abortTime != null;
  }

  @Override
  public char tag() {
    return TAG;
  }
}
