package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;

/** Origin ({@code 'O'}): the transaction was replayed from another node's replication origin. */
public record Origin(Lsn commitLsn, String name) implements PgOutputMessage {

  public static final char TAG = 'O';

  public Origin {
    Checks.nonNull(commitLsn, "commitLsn");
    Checks.nonNull(name, "name");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
