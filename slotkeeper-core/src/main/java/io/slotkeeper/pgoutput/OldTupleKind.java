package io.slotkeeper.pgoutput;

/** Which old row image an Update or Delete carries. */
public enum OldTupleKind {
  /** No old image (Update only: the key did not change and replica identity is not FULL). */
  NONE('\0'),
  /** {@code 'K'}: only the replica-identity key columns are filled; the others are null. */
  KEY('K'),
  /** {@code 'O'}: the whole old row (replica identity FULL). */
  FULL('O');

  private final char code;

  OldTupleKind(char code) {
    this.code = code;
  }

  /** The submessage byte on the wire; {@code '\0'} for {@link #NONE}, which has none. */
  public char code() {
    return code;
  }
}
