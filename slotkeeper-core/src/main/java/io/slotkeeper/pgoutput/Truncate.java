package io.slotkeeper.pgoutput;

import java.util.List;

/**
 * Truncate ({@code 'T'}) of one or more relations. {@code xid} is 0 unless inside a streamed block.
 */
public record Truncate(long xid, List<Relation> relations, boolean cascade, boolean restartIdentity)
    implements PgOutputMessage {

  public static final char TAG = 'T';

  /** Option bit for TRUNCATE ... CASCADE. */
  public static final int OPTION_CASCADE = 1;

  /** Option bit for TRUNCATE ... RESTART IDENTITY. */
  public static final int OPTION_RESTART_IDENTITY = 2;

  public Truncate {
    Checks.xid(xid, "xid");
    relations = List.copyOf(relations);
  }

  @Override
  public char tag() {
    return TAG;
  }
}
