package io.slotkeeper.pgoutput;

/**
 * Stream Start ({@code 'S'}, protocol 2+): the following changes, up to {@link StreamStop}, belong
 * to the large in-progress transaction {@code xid} and each carry that xid.
 */
public record StreamStart(long xid, boolean firstSegment) implements PgOutputMessage {

  public static final char TAG = 'S';

  public StreamStart {
    Checks.xid(xid, "xid");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
