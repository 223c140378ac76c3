package io.slotkeeper;

/**
 * A PostgreSQL write-ahead-log position ({@code pg_lsn}).
 *
 * <p>On the wire an LSN is an unsigned 64-bit byte position. Java has no unsigned long, so the raw
 * bits are kept in {@link #value()} and every ordering operation treats them as unsigned: an LSN
 * above {@code 7FFFFFFF/FFFFFFFF} must still sort after {@code 0/1}, although its {@code long} is
 * negative.
 *
 * <p>{@link #toString()} and {@link #parse(String)} use PostgreSQL's own text form (two upper-case
 * hex numbers for the high and low 32 bits, no zero padding), so values can be pasted to and from
 * {@code psql} unchanged.
 */
public record Lsn(long value) implements Comparable<Lsn> {

  /** {@code 0/0}: PostgreSQL's InvalidXLogRecPtr, used by the server to mean "no position". */
  public static final Lsn INVALID = new Lsn(0);

  /** The largest representable position, {@code FFFFFFFF/FFFFFFFF}. */
  public static final Lsn MAX = new Lsn(-1L);

  public static Lsn of(long value) {
    return value == 0 ? INVALID : new Lsn(value);
  }

  /**
   * Parses PostgreSQL's text form, e.g. {@code 16/B374D848}. Each half is 1 to 8 hex digits (either
   * case), exactly as the server's {@code pg_lsn} input function accepts; no signs or whitespace.
   *
   * @throws IllegalArgumentException if {@code text} is null or not in that form
   */
  public static Lsn parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("malformed LSN null: " + EXPECTED);
    }
    int slash = text.indexOf('/');
    if (slash < 0 || text.indexOf('/', slash + 1) >= 0) {
      throw malformed(text);
    }
    long high = parseHalf(text, 0, slash);
    long low = parseHalf(text, slash + 1, text.length());
    return of((high << 32) | low);
  }

  private static final String EXPECTED =
      "expected two hex numbers separated by '/', like 16/B374D848";

  private static IllegalArgumentException malformed(String text) {
    return new IllegalArgumentException("malformed LSN '" + text + "': " + EXPECTED);
  }

  private static long parseHalf(String text, int from, int to) {
    int digits = to - from;
    // More than 8 digits would not fit in 32 bits; PostgreSQL rejects them too.
    if (digits < 1 || digits > 8) {
      throw malformed(text);
    }
    long result = 0;
    for (int i = from; i < to; i++) {
      int d = Character.digit(text.charAt(i), 16);
      // Character.digit also accepts non-ASCII digits (e.g. full-width); PostgreSQL does not.
      if (d < 0 || text.charAt(i) > 'f') {
        throw malformed(text);
      }
      result = (result << 4) | d;
    }
    return result;
  }

  /** True unless this is {@link #INVALID} ({@code 0/0}). */
  public boolean isValid() {
    return value != 0;
  }

  /**
   * This position moved forward by {@code bytes} (backwards if negative).
   *
   * @throws ArithmeticException if the result would leave the unsigned 64-bit range
   */
  public Lsn plus(long bytes) {
    long result = value + bytes;
    // Unsigned overflow on addition shows as the result wrapping below the start; underflow
    // (negative bytes) as it wrapping above.
    if (bytes >= 0
        ? Long.compareUnsigned(result, value) < 0
        : Long.compareUnsigned(result, value) > 0) {
      throw new ArithmeticException(
          "LSN " + this + " plus " + bytes + " leaves the 64-bit WAL range");
    }
    return of(result);
  }

  /**
   * The signed byte distance {@code this - other}: positive when this is after {@code other}.
   *
   * @throws ArithmeticException if the distance does not fit in a signed long (only possible for
   *     positions more than 8 EiB apart)
   */
  public long minus(Lsn other) {
    long diff = value - other.value;
    boolean thisAfter = Long.compareUnsigned(value, other.value) >= 0;
    // The subtraction's bits are right modulo 2^64; the sign is wrong only when the true
    // distance exceeds Long.MAX_VALUE in magnitude.
    if (thisAfter ? diff < 0 : diff > 0) {
      throw new ArithmeticException(
          "distance between LSN " + this + " and " + other + " exceeds a signed long");
    }
    return diff;
  }

  public boolean isAfter(Lsn other) {
    return Long.compareUnsigned(value, other.value) > 0;
  }

  public boolean isBefore(Lsn other) {
    return Long.compareUnsigned(value, other.value) < 0;
  }

  public static Lsn max(Lsn a, Lsn b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  public static Lsn min(Lsn a, Lsn b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public int compareTo(Lsn other) {
    return Long.compareUnsigned(value, other.value);
  }

  /** PostgreSQL's text form, e.g. {@code 0/16B3748}. */
  @Override
  public String toString() {
    return Long.toHexString(value >>> 32).toUpperCase(java.util.Locale.ROOT)
        + '/'
        + Long.toHexString(value & 0xFFFF_FFFFL).toUpperCase(java.util.Locale.ROOT);
  }
}
