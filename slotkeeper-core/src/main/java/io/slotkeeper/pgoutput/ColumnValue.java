package io.slotkeeper.pgoutput;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * One column of a {@link TupleData}.
 *
 * <p>The decoder copies a whole tuple's bytes once and every value of that tuple views its own
 * range of the shared copy, so decoding a row costs one array plus one small object per non-null
 * column. Text is decoded only when {@link #text()} is called, and then cached.
 *
 * <p>Typed accessors ({@link #asLong()}, {@link #asBigDecimal()}, {@link #asOffsetDateTime()}, …)
 * parse a TEXT value as the output of the built-in type they name, so users need not parse the
 * server's text themselves; which one fits a column follows from its type in the {@link Relation}.
 * Each returns null for SQL NULL and throws {@link IllegalStateException} for UNCHANGED_TOAST and
 * BINARY (as {@link #text()} does) and {@link IllegalArgumentException} for text that is not that
 * type's output. Values Java has no exact counterpart for map as pgjdbc's {@code getObject} maps
 * them: {@code infinity}/{@code -infinity} to the type's {@code MAX}/{@code MIN}, {@code 24:00:00}
 * to {@link LocalTime#MAX}, BC years proleptically (1 BC is year 0).
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

  /** boolean ({@code t}/{@code f}). */
  public Boolean asBoolean() {
    return parsed(PgText::bool);
  }

  /** smallint. */
  public Short asShort() {
    return parsed(Short::valueOf);
  }

  /** integer (and smallint, oid within range). */
  public Integer asInt() {
    return parsed(Integer::valueOf);
  }

  /** bigint (and the smaller integers). */
  public Long asLong() {
    return parsed(Long::valueOf);
  }

  /**
   * numeric (and the integers).
   *
   * @throws ArithmeticException for {@code NaN} and {@code ±Infinity}, which BigDecimal cannot
   *     hold; {@link #asDouble()} can
   */
  public BigDecimal asBigDecimal() {
    return parsed(PgText::numeric);
  }

  /** real (float4), including {@code NaN}, {@code Infinity}, {@code -Infinity} and {@code -0}. */
  public Float asFloat() {
    return parsed(Float::valueOf);
  }

  /** double precision (float8) or numeric, including {@code NaN} and {@code ±Infinity}. */
  public Double asDouble() {
    return parsed(PgText::float8);
  }

  /**
   * bytea, decoded from either output format ({@code bytea_output} hex or escape). Not the same as
   * {@link #bytes()}, which returns the value's bytes as sent: for bytea, its text output.
   */
  public byte[] asBytea() {
    return parsed(PgText::bytea);
  }

  /** uuid. */
  public UUID asUuid() {
    return parsed(PgText::uuid);
  }

  /** date; {@code infinity} is {@link LocalDate#MAX}, {@code -infinity} {@link LocalDate#MIN}. */
  public LocalDate asLocalDate() {
    return parsed(PgText::date);
  }

  /** time without time zone; {@code 24:00:00} is {@link LocalTime#MAX}. */
  public LocalTime asLocalTime() {
    return parsed(PgText::time);
  }

  /** time with time zone; {@code 24:00:00} at any offset is {@link OffsetTime#MAX}. */
  public OffsetTime asOffsetTime() {
    return parsed(PgText::timetz);
  }

  /** timestamp without time zone; infinities are {@link LocalDateTime#MAX} and {@code MIN}. */
  public LocalDateTime asLocalDateTime() {
    return parsed(PgText::timestamp);
  }

  /**
   * timestamp with time zone, at the offset the server printed (its session's TimeZone); infinities
   * are {@link OffsetDateTime#MAX} and {@code MIN}.
   */
  public OffsetDateTime asOffsetDateTime() {
    return parsed(PgText::timestamptz);
  }

  /**
   * An array of any built-in element type but box, as nested lists of element texts: {@code
   * {1,NULL,3}} is {@code ["1", null, "3"]}, {@code {{1,2},{3,4}}} is {@code [["1", "2"], ["3",
   * "4"]]}. Bounds such as {@code [0:2]=} are dropped. Elements are unquoted and unescaped, so each
   * is its type's text output, ready for {@link ColumnValue#text(String)} and a typed accessor.
   */
  public List<Object> asArray() {
    return parsed(PgText::array);
  }

  private <T> T parsed(Function<String, T> parser) {
    String t = text();
    return t == null ? null : parser.apply(t);
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
