package io.slotkeeper.pgoutput;

/** Insert ({@code 'I'}). {@code xid} is 0 unless inside a streamed transaction block. */
public record Insert(long xid, Relation relation, TupleData newTuple) implements PgOutputMessage {

  public static final char TAG = 'I';

  public Insert {
    Checks.xid(xid, "xid");
    Checks.nonNull(relation, "relation");
    Checks.nonNull(newTuple, "newTuple");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
