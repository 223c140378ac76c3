package io.slotkeeper.pgoutput;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One column of a {@link TupleData}.
 *
 * <p>The decoder copies a whole tuple's bytes once and every value of that tuple views its own
 * range of the shared copy, so decoding a row costs one array plus one small object per non-null
 * column. Text is decoded only when {@link #text()} is called, and then cached.
 */
public final class ColumnValue {

  /** The kind byte of a tuple column on the wire. */
  public enum Kind {
    /** {@code 'n'}: SQL NULL. */
    NULL('n'),
    /** {@code 'u'}: an unchanged TOASTed value whose bytes the server did not send. */
    UNCHANGED_TOAST('u'),
    /** {@code 't'}: the value in the type's text output format. */
    TEXT('t'),
    /**
     * {@code 'b'}: the value in the type's binary send format (subscription option binary = true).
     */
    BINARY('b');

    private final char code;

    Kind(char code) {
      this.code = code;
    }

    public char code() {
      return code;
    }
  }

  private static final byte[] NO_BYTES = new byte[0];

  /** Shared instances: these two kinds have no payload, so one object each is enough. */
  public static final ColumnValue NULL = new ColumnValue(Kind.NULL, NO_BYTES, 0, 0);

  public static final ColumnValue UNCHANGED_TOAST =
      new ColumnValue(Kind.UNCHANGED_TOAST, NO_BYTES, 0, 0);

  private final Kind kind;
  private final byte[] data;
  private final int offset;
  private final int length;
  // Benign data race: String is immutable, so a thread that sees null just decodes again.
  private String text;

  private ColumnValue(Kind kind, byte[] data, int offset, int length) {
    this.kind = kind;
    this.data = data;
    this.offset = offset;
    this.length = length;
  }

  /** A TEXT value holding a copy of {@code utf8}. */
  public static ColumnValue text(byte[] utf8) {
    return new ColumnValue(Kind.TEXT, utf8.clone(), 0, utf8.length);
  }

  /** A TEXT value holding {@code value} encoded as UTF-8. */
  public static ColumnValue text(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    ColumnValue v = new ColumnValue(Kind.TEXT, bytes, 0, bytes.length);
    v.text = value;
    return v;
  }

  /** A BINARY value holding a copy of {@code bytes}. */
  public static ColumnValue binary(byte[] bytes) {
    return new ColumnValue(Kind.BINARY, bytes.clone(), 0, bytes.length);
  }

  /**
   * A TEXT or BINARY value viewing {@code data[offset, offset+length)} without copying. Only for
   * the decoder, which owns {@code data} and never changes it afterwards.
   */
  static ColumnValue view(Kind kind, byte[] data, int offset, int length) {
    return new ColumnValue(kind, data, offset, length);
  }

  public Kind kind() {
    return kind;
  }

  public boolean isNull() {
    return kind == Kind.NULL;
  }

  public boolean isUnchangedToast() {
    return kind == Kind.UNCHANGED_TOAST;
  }

  /** True for TEXT and BINARY, the kinds that carry bytes. */
  public boolean hasBytes() {
    return kind == Kind.TEXT || kind == Kind.BINARY;
  }

  /** Number of value bytes; 0 for NULL and UNCHANGED_TOAST. */
  public int length() {
    return length;
  }

  /** A copy of the value bytes, or null for NULL and UNCHANGED_TOAST. */
  public byte[] bytes() {
    return hasBytes() ? Arrays.copyOfRange(data, offset, offset + length) : null;
  }

  /** A read-only view of the value bytes (no copy), or null for NULL and UNCHANGED_TOAST. */
  public ByteBuffer buffer() {
    return hasBytes() ? ByteBuffer.wrap(data, offset, length).slice().asReadOnlyBuffer() : null;
  }

  /**
   * The value as text: the UTF-8 decoding of a TEXT value, or null for NULL.
   *
   * @throws IllegalStateException for UNCHANGED_TOAST (the server did not send the value) and
   *     BINARY (the bytes are a type-specific binary format, not text)
   */
  public String text() {
    switch (kind) {
      case NULL:
        return null;
      case TEXT:
        String t = text;
        if (t == null) {
          t = new String(data, offset, length, StandardCharsets.UTF_8);
          text = t;
        }
        return t;
      case UNCHANGED_TOAST:
        throw new IllegalStateException(
            "column value is an unchanged TOAST value: the server did not send"
                + " it; take it from the previous row image or the database");
      default:
        throw new IllegalStateException(
            "column value is in binary format ("
                + length
                + " bytes); use bytes() or buffer() and the type's binary receive format");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ColumnValue v
        && kind == v.kind
        && Arrays.equals(data, offset, offset + length, v.data, v.offset, v.offset + v.length);
  }

  @Override
  public int hashCode() {
    int h = kind.hashCode();
    for (int i = offset; i < offset + length; i++) {
      h = 31 * h + data[i];
    }
    return h;
  }

  @Override
  public String toString() {
    switch (kind) {
      case NULL:
        return "NULL";
      case UNCHANGED_TOAST:
        return "UNCHANGED_TOAST";
      case TEXT:
        return "'" + text() + "'";
      default:
        return "BINARY[" + length + " bytes]";
    }
  }
}
