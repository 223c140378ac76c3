package io.slotkeeper.pgoutput;

/**
 * Update ({@code 'U'}). {@code oldTuple} is null exactly when {@code oldKind} is {@link
 * OldTupleKind#NONE}. In the new tuple, unchanged TOASTed values arrive as {@link
 * ColumnValue.Kind#UNCHANGED_TOAST}. {@code xid} is 0 unless inside a streamed block.
 */
public record Update(
    long xid, Relation relation, TupleData oldTuple, OldTupleKind oldKind, TupleData newTuple)
    implements PgOutputMessage {

  public static final char TAG = 'U';

  public Update {
    Checks.xid(xid, "xid");
    Checks.nonNull(relation, "relation");
    Checks.nonNull(oldKind, "oldKind");
    Checks.nonNull(newTuple, "newTuple");
    if ((oldKind == OldTupleKind.NONE) != (oldTuple == null)) {
      throw new IllegalArgumentException(
          "oldTuple must be null exactly when oldKind is NONE, got " + oldKind);
    }
  }

  @Override
  public char tag() {
    return TAG;
  }
}
