package io.slotkeeper.pgoutput;

/**
 * Delete ({@code 'D'}). {@code oldKind} is KEY or FULL (never NONE: the wire format always carries
 * an old image). {@code xid} is 0 unless inside a streamed block.
 */
public record Delete(long xid, Relation relation, OldTupleKind oldKind, TupleData oldTuple)
    implements PgOutputMessage {

  public static final char TAG = 'D';

  public Delete {
    Checks.xid(xid, "xid");
    Checks.nonNull(relation, "relation");
    Checks.nonNull(oldKind, "oldKind");
    Checks.nonNull(oldTuple, "oldTuple");
    if (oldKind == OldTupleKind.NONE) {
      throw new IllegalArgumentException(
          "a Delete always carries an old tuple; oldKind must be KEY or FULL");
    }
  }

  @Override
  public char tag() {
    return TAG;
  }
}
