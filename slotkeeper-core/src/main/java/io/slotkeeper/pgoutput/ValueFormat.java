package io.slotkeeper.pgoutput;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of the session that decodes (for a replication stream: the walsender's) which decide
 * how the server's output functions print values: {@code TimeZone} (timestamptz), {@code DateStyle}
 * (dates and times), {@code IntervalStyle}, {@code extra_float_digits} (real and double precision),
 * {@code bytea_output} and {@code lc_monetary} (money; printed only for C or POSIX, whose format is
 * fixed: {@code -$1,234.56}); and, from the catalog, the enum, domain, range and multirange types
 * ({@link PgUserType}) whose binary values the decoder can then read.
 *
 * <p>A TEXT value is what the output function printed with these settings; a BINARY value's {@link
 * ColumnValue#text()} prints with them, so both formats give the same text. Rendering supports
 * {@code DateStyle} ISO (what pgjdbc, and so the engine, always sets), {@code IntervalStyle}
 * postgres (the default) and a {@code TimeZone} that is a time-zone database name or a POSIX offset
 * such as {@code GMT-05:00} (what pgjdbc sends for a JVM zone {@code GMT+05:00}); a value that
 * needs one of the others throws an {@link IllegalStateException} naming the setting.
 */
public record ValueFormat(
    String timeZone,
    String dateStyle,
    String intervalStyle,
    int extraFloatDigits,
    String byteaOutput,
    String lcMonetary,
    Map<Integer, PgUserType> userTypes) {

  /** The server's defaults with pgjdbc's session settings, TimeZone UTC. */
  public static final ValueFormat DEFAULT =
      new ValueFormat("UTC", "ISO, MDY", "postgres", 3, "hex");

  public ValueFormat {
    Checks.nonNull(timeZone, "timeZone");
    Checks.nonNull(dateStyle, "dateStyle");
    Checks.nonNull(intervalStyle, "intervalStyle");
    Checks.nonNull(byteaOutput, "byteaOutput");
    Checks.nonNull(lcMonetary, "lcMonetary");
    userTypes = Map.copyOf(userTypes);
  }

  /** lc_monetary C and no catalog facts. */
  public ValueFormat(
      String timeZone,
      String dateStyle,
      String intervalStyle,
      int extraFloatDigits,
      String byteaOutput) {
    this(timeZone, dateStyle, intervalStyle, extraFloatDigits, byteaOutput, "C", Map.of());
  }

  public ValueFormat withTimeZone(String v) {
    return new ValueFormat(
        v, dateStyle, intervalStyle, extraFloatDigits, byteaOutput, lcMonetary, userTypes);
  }

  public ValueFormat withDateStyle(String v) {
    return new ValueFormat(
        timeZone, v, intervalStyle, extraFloatDigits, byteaOutput, lcMonetary, userTypes);
  }

  public ValueFormat withIntervalStyle(String v) {
    return new ValueFormat(
        timeZone, dateStyle, v, extraFloatDigits, byteaOutput, lcMonetary, userTypes);
  }

  public ValueFormat withExtraFloatDigits(int v) {
    return new ValueFormat(
        timeZone, dateStyle, intervalStyle, v, byteaOutput, lcMonetary, userTypes);
  }

  public ValueFormat withByteaOutput(String v) {
    return new ValueFormat(
        timeZone, dateStyle, intervalStyle, extraFloatDigits, v, lcMonetary, userTypes);
  }

  public ValueFormat withLcMonetary(String v) {
    return new ValueFormat(
        timeZone, dateStyle, intervalStyle, extraFloatDigits, byteaOutput, v, userTypes);
  }

  /** The catalog facts about enum, domain, range and multirange types, by oid. */
  public ValueFormat withUserTypes(Map<Integer, PgUserType> v) {
    return new ValueFormat(
        timeZone, dateStyle, intervalStyle, extraFloatDigits, byteaOutput, lcMonetary, v);
  }

  /**
   * Whether a binary value of type {@code oid} can be read (and printed as the server would) with
   * these settings and catalog facts; {@code binary = auto} streams in binary only when every
   * published column's type can.
   */
  public boolean hasBinaryCodec(int oid) {
    return PgBinary.hasCodec(oid, this);
  }

  /** True when money prints in the fixed C format ({@code -$1,234.56}). */
  boolean moneyIsC() {
    return switch (lcMonetary) {
      case "C", "POSIX", "C.UTF-8", "C.utf8" -> true;
      default -> false;
    };
  }

  /**
   * A POSIX zone without daylight saving: a name of at least three letters (or {@code <...>}) and
   * an offset whose sign means WEST of Greenwich. pgjdbc sends a JVM zone given as an offset this
   * way ({@code GMT+05:00} becomes {@code GMT-05:00}), and Java would read the same text as the
   * opposite offset.
   */
  private static final Pattern POSIX_FIXED =
      Pattern.compile("(?:[A-Za-z]{3,}|<[^>]*>)([+-]?)(\\d{1,2})(?::(\\d{2}))?(?::(\\d{2}))?");

  /**
   * The session's TimeZone as a Java zone: a POSIX offset zone as PostgreSQL reads it ({@code
   * GMT-05:00} is five hours east), else a name of the time-zone database Java shares with
   * PostgreSQL; empty for anything else (a POSIX zone with daylight-saving rules, say).
   */
  public Optional<ZoneId> zone() {
    Matcher m = POSIX_FIXED.matcher(timeZone);
    if (m.matches()) {
      int west =
          Integer.parseInt(m.group(2)) * 3600
              + (m.group(3) == null ? 0 : Integer.parseInt(m.group(3)) * 60)
              + (m.group(4) == null ? 0 : Integer.parseInt(m.group(4)));
      if (m.group(1).equals("-")) {
        west = -west;
      }
      try {
        return Optional.of(ZoneOffset.ofTotalSeconds(-west));
      } catch (DateTimeException e) {
        return Optional.empty();
      }
    }
    try {
      return Optional.of(ZoneId.of(timeZone));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  ZoneId requireZone() {
    return zone()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "the session's TimeZone '"
                        + timeZone
                        + "' is not a zone Java knows, so a binary timestamptz cannot be printed as"
                        + " the server would; use asInstant(), or set TimeZone to a zone name such"
                        + " as UTC or Europe/Berlin"));
  }

  void requireIsoDates() {
    if (!dateStyle.toUpperCase(java.util.Locale.ROOT).startsWith("ISO")) {
      throw new IllegalStateException(
          "the session's DateStyle is '"
              + dateStyle
              + "'; binary dates and times are printed only as DateStyle ISO prints them");
    }
  }

  void requirePostgresIntervals() {
    if (!intervalStyle.equals("postgres")) {
      throw new IllegalStateException(
          "the session's IntervalStyle is '"
              + intervalStyle
              + "'; binary intervals are printed only as IntervalStyle postgres prints them");
    }
  }
}
