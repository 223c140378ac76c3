package io.slotkeeper.pgoutput;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
 * read a TEXT value as the output of the built-in type they name, and a BINARY value (option {@code
 * binary}) as that type's send format, so users need not parse the server's bytes themselves; which
 * one fits a column follows from its type ({@link #typeOid()}, from the {@link Relation}). {@link
 * #text()} of a BINARY value of a type with a codec ({@link PgTypeOids}) is exactly what the
 * server's output function prints, with the session settings in {@link ValueFormat}, so a consumer
 * sees the same text in both formats; a BINARY value of another type keeps its bytes ({@link
 * #hasCodec()} is false). Each accessor returns null for SQL NULL and throws {@link
 * IllegalStateException} for UNCHANGED_TOAST and for BINARY without a codec (as {@link #text()}
 * does) and {@link IllegalArgumentException} for a value that is not of that type. Values Java has
 * no exact counterpart for map as pgjdbc's {@code getObject} maps them: {@code infinity}/{@code
 * -infinity} to the type's {@code MAX}/{@code MIN}, {@code 24:00:00} to {@link LocalTime#MAX}, BC
 * years proleptically (1 BC is year 0).
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
  private final int typeOid;
  private final ValueFormat format;
  // Benign data race: String is immutable, so a thread that sees null just decodes again.
  private String text;

  private ColumnValue(
      Kind kind, byte[] data, int offset, int length, int typeOid, ValueFormat format) {
    this.kind = kind;
    this.data = data;
    this.offset = offset;
    this.length = length;
    this.typeOid = typeOid;
    this.format = format;
  }

  private ColumnValue(Kind kind, byte[] data, int offset, int length) {
    this(kind, data, offset, length, 0, ValueFormat.DEFAULT);
  }

  /** A TEXT value holding a copy of {@code utf8}. */
  public static ColumnValue text(byte[] utf8) {
    return new ColumnValue(Kind.TEXT, utf8.clone(), 0, utf8.length);
  }

  /** A TEXT value holding a copy of {@code utf8[offset, offset + length)}. */
  public static ColumnValue text(byte[] utf8, int offset, int length) {
    java.util.Objects.checkFromIndexSize(offset, length, utf8.length);
    return new ColumnValue(Kind.TEXT, Arrays.copyOfRange(utf8, offset, offset + length), 0, length);
  }

  /** A TEXT value holding {@code value} encoded as UTF-8. */
  public static ColumnValue text(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    ColumnValue v = new ColumnValue(Kind.TEXT, bytes, 0, bytes.length);
    v.text = value;
    return v;
  }

  /** A BINARY value holding a copy of {@code bytes}, of no known type (no codec). */
  public static ColumnValue binary(byte[] bytes) {
    return new ColumnValue(Kind.BINARY, bytes.clone(), 0, bytes.length);
  }

  /**
   * A BINARY value of type {@code typeOid} holding a copy of {@code bytes} (the type's send
   * format), printed by {@link #text()} as a session with {@code format}'s settings would print it.
   */
  public static ColumnValue binary(byte[] bytes, int typeOid, ValueFormat format) {
    return new ColumnValue(
        Kind.BINARY,
        bytes.clone(),
        0,
        bytes.length,
        typeOid,
        java.util.Objects.requireNonNull(format, "format"));
  }

  /**
   * A TEXT or BINARY value of type {@code typeOid} viewing {@code data[offset, offset+length)}
   * without copying. Only for the decoder, which owns {@code data} and never changes it afterwards.
   */
  static ColumnValue view(
      Kind kind, byte[] data, int offset, int length, int typeOid, ValueFormat format) {
    return new ColumnValue(kind, data, offset, length, typeOid, format);
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The column's type oid as its {@link Relation} names it (compare with {@link PgTypeOids}), or 0
   * for a value built without one.
   */
  public int typeOid() {
    return typeOid;
  }

  /**
   * False only for a BINARY value whose type has no binary codec here (a type not in {@link
   * PgTypeOids}, e.g. an enum, a domain, a range or money): its {@link #text()} and typed accessors
   * throw, and its {@link #bytes()} are the type's send format.
   */
  public boolean hasCodec() {
    return kind != Kind.BINARY || PgBinary.hasCodec(typeOid, format);
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

  /**
   * Copies the value bytes into {@code target} from {@code targetOffset} on and returns how many
   * ({@link #length()}; 0 for NULL and UNCHANGED_TOAST). Allocates nothing: for writers that turn
   * many values into output bytes, where {@link #bytes()} or {@link #buffer()} per value would.
   *
   * @throws IndexOutOfBoundsException when {@code target} has no room for them there
   */
  public int copyTo(byte[] target, int targetOffset) {
    if (!hasBytes()) {
      return 0;
    }
    java.util.Objects.checkFromIndexSize(targetOffset, length, target.length);
    System.arraycopy(data, offset, target, targetOffset, length);
    return length;
  }

  /** A read-only view of the value bytes (no copy), or null for NULL and UNCHANGED_TOAST. */
  public ByteBuffer buffer() {
    return hasBytes() ? ByteBuffer.wrap(data, offset, length).slice().asReadOnlyBuffer() : null;
  }

  /**
   * The value as text: the UTF-8 decoding of a TEXT value, what the type's output function prints
   * for a BINARY value of a type with a codec, or null for NULL.
   *
   * @throws IllegalStateException for UNCHANGED_TOAST (the server did not send the value) and for a
   *     BINARY value without a codec (naming its type oid; see {@link #hasCodec()}), or one whose
   *     printing needs a session setting not supported (see {@link ValueFormat})
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
        String b = text;
        if (b == null) {
          if (!PgBinary.hasCodec(typeOid, format)) {
            throw PgBinary.noCodec(typeOid);
          }
          ByteBuffer view = binaryView();
          PgBinary.checkSize(typeOid, view, format);
          try {
            b = PgBinary.text(typeOid, view, format);
          } catch (IndexOutOfBoundsException e) {
            throw new IllegalStateException(
                "binary value of type oid "
                    + Integer.toUnsignedString(typeOid)
                    + " ("
                    + length
                    + " bytes) is not that type's send format",
                e);
          }
          text = b;
        }
        return b;
    }
  }

  /** The value's bytes as a big-endian buffer whose index 0 is the value's first byte. */
  private ByteBuffer binaryView() {
    return ByteBuffer.wrap(data, offset, length).slice();
  }

  /** boolean ({@code t}/{@code f}). */
  public Boolean asBoolean() {
    return typed(PgText::bool, (oid, b, f) -> PgBinary.bool(oid, b));
  }

  /** smallint. */
  public Short asShort() {
    return typed(
        Short::valueOf,
        (oid, b, f) ->
            narrow(PgBinary.integer(oid, b), Short.MIN_VALUE, Short.MAX_VALUE).shortValue());
  }

  /** integer (and smallint, oid within range). */
  public Integer asInt() {
    return typed(
        Integer::valueOf,
        (oid, b, f) ->
            narrow(PgBinary.integer(oid, b), Integer.MIN_VALUE, Integer.MAX_VALUE).intValue());
  }

  /** bigint (and the smaller integers, and oid as its unsigned value). */
  public Long asLong() {
    return typed(Long::valueOf, (oid, b, f) -> PgBinary.integer(oid, b));
  }

  /**
   * numeric (and the integers).
   *
   * @throws ArithmeticException for {@code NaN} and {@code ±Infinity}, which BigDecimal cannot
   *     hold; {@link #asDouble()} can
   */
  public BigDecimal asBigDecimal() {
    return typed(PgText::numeric, (oid, b, f) -> PgBinary.bigDecimal(oid, b));
  }

  /** real (float4), including {@code NaN}, {@code Infinity}, {@code -Infinity} and {@code -0}. */
  public Float asFloat() {
    return typed(Float::valueOf, (oid, b, f) -> PgBinary.float4(oid, b));
  }

  /** double precision (float8) or numeric, including {@code NaN} and {@code ±Infinity}. */
  public Double asDouble() {
    return typed(PgText::float8, (oid, b, f) -> PgBinary.float8(oid, b));
  }

  /**
   * bytea, decoded from either output format ({@code bytea_output} hex or escape) or its binary
   * form. Not the same as {@link #bytes()}, which returns the value's bytes as sent: for a TEXT
   * bytea, its text output.
   */
  public byte[] asBytea() {
    return typed(PgText::bytea, (oid, b, f) -> PgBinary.bytea(oid, b));
  }

  /** uuid. */
  public UUID asUuid() {
    return typed(PgText::uuid, (oid, b, f) -> PgBinary.uuid(expect(oid, PgTypeOids.UUID, b)));
  }

  /** date; {@code infinity} is {@link LocalDate#MAX}, {@code -infinity} {@link LocalDate#MIN}. */
  public LocalDate asLocalDate() {
    return typed(
        PgText::date, (oid, b, f) -> PgDateTimes.date(expect(oid, PgTypeOids.DATE, b).getInt(0)));
  }

  /** time without time zone; {@code 24:00:00} is {@link LocalTime#MAX}. */
  public LocalTime asLocalTime() {
    return typed(
        PgText::time, (oid, b, f) -> PgDateTimes.time(expect(oid, PgTypeOids.TIME, b).getLong(0)));
  }

  /** time with time zone; {@code 24:00:00} at any offset is {@link OffsetTime#MAX}. */
  public OffsetTime asOffsetTime() {
    return typed(
        PgText::timetz,
        (oid, b, f) ->
            PgDateTimes.timetz(expect(oid, PgTypeOids.TIMETZ, b).getLong(0), b.getInt(8)));
  }

  /** timestamp without time zone; infinities are {@link LocalDateTime#MAX} and {@code MIN}. */
  public LocalDateTime asLocalDateTime() {
    return typed(
        PgText::timestamp,
        (oid, b, f) -> PgDateTimes.timestamp(expect(oid, PgTypeOids.TIMESTAMP, b).getLong(0)));
  }

  /**
   * timestamp with time zone, at the offset the server printed (its session's TimeZone; for a
   * BINARY value, {@link ValueFormat#timeZone()}); infinities are {@link OffsetDateTime#MAX} and
   * {@code MIN}.
   */
  public OffsetDateTime asOffsetDateTime() {
    return typed(
        PgText::timestamptz,
        (oid, b, f) ->
            PgDateTimes.timestamptz(expect(oid, PgTypeOids.TIMESTAMPTZ, b).getLong(0), f));
  }

  /**
   * timestamp with time zone as an instant, whatever the session's TimeZone; infinities are {@link
   * Instant#MAX} and {@link Instant#MIN}.
   */
  public Instant asInstant() {
    return typed(
        t -> {
          OffsetDateTime v = PgText.timestamptz(t);
          return v.equals(OffsetDateTime.MAX)
              ? Instant.MAX
              : v.equals(OffsetDateTime.MIN) ? Instant.MIN : v.toInstant();
        },
        (oid, b, f) -> PgDateTimes.instant(expect(oid, PgTypeOids.TIMESTAMPTZ, b).getLong(0)));
  }

  /** interval, as months, days and microseconds (IntervalStyle postgres for TEXT values). */
  public PgInterval asInterval() {
    return typed(
        PgText::interval, (oid, b, f) -> PgBinary.interval(expect(oid, PgTypeOids.INTERVAL, b)));
  }

  /** inet or cidr: the address and its netmask length. */
  public PgInet asInet() {
    return typed(
        PgText::inet,
        (oid, b, f) -> {
          if (oid != PgTypeOids.INET && oid != PgTypeOids.CIDR) {
            throw PgBinary.notA(oid, "inet or cidr");
          }
          return PgBinary.inet(b);
        });
  }

  /**
   * An array of any built-in element type but box, as nested lists of element texts: {@code
   * {1,NULL,3}} is {@code ["1", null, "3"]}, {@code {{1,2},{3,4}}} is {@code [["1", "2"], ["3",
   * "4"]]}. Bounds such as {@code [0:2]=} are dropped. Elements are unquoted and unescaped, so each
   * is its type's text output, ready for {@link ColumnValue#text(String)} and a typed accessor. A
   * BINARY array gives the same lists, each element printed as its output function prints it.
   */
  public List<Object> asArray() {
    return typed(
        PgText::array,
        (oid, b, f) -> {
          if (!PgTypeOids.isArrayWithCodec(oid)) {
            throw PgBinary.notA(oid, "an array with a binary codec");
          }
          return PgBinaryArrays.elements(b, f);
        });
  }

  /** Reads a BINARY value of a type with a codec. */
  @FunctionalInterface
  private interface BinaryReader<T> {
    T read(int typeOid, ByteBuffer value, ValueFormat format);
  }

  private <T> T typed(Function<String, T> fromText, BinaryReader<T> fromBinary) {
    if (kind == Kind.BINARY) {
      if (!PgBinary.hasCodec(typeOid, format)) {
        throw PgBinary.noCodec(typeOid);
      }
      ByteBuffer view = binaryView();
      // A domain's value is its base type's: typed accessors read it as that type.
      int typeOid = PgBinary.resolveDomain(this.typeOid, format);
      PgBinary.checkSize(typeOid, view, format);
      return fromBinary.read(typeOid, view, format);
    }
    String t = text();
    return t == null ? null : fromText.apply(t);
  }

  private static ByteBuffer expect(int oid, int wanted, ByteBuffer b) {
    if (oid != wanted) {
      throw PgBinary.notA(oid, "of type oid " + wanted);
    }
    return b;
  }

  private static Long narrow(long v, long min, long max) {
    if (v < min || v > max) {
      throw new ArithmeticException("value " + v + " is out of range");
    }
    return v;
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
        return "BINARY[oid " + Integer.toUnsignedString(typeOid) + ", " + length + " bytes]";
    }
  }
}
