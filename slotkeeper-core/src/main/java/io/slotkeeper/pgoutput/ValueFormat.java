package io.slotkeeper.pgoutput;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Optional;

/**
 * The settings of the session that decodes (for a replication stream: the walsender's) which decide
 * how the server's output functions print values: {@code TimeZone} (timestamptz), {@code DateStyle}
 * (dates and times), {@code IntervalStyle}, {@code extra_float_digits} (real and double precision)
 * and {@code bytea_output}.
 *
 * <p>A TEXT value is what the output function printed with these settings; a BINARY value's {@link
 * ColumnValue#text()} prints with them, so both formats give the same text. Rendering supports
 * {@code DateStyle} ISO (what pgjdbc, and so the engine, always sets), {@code IntervalStyle}
 * postgres (the default) and a {@code TimeZone} that Java's time-zone database knows; a value that
 * needs one of the others throws an {@link IllegalStateException} naming the setting.
 */
public record ValueFormat(
    String timeZone,
    String dateStyle,
    String intervalStyle,
    int extraFloatDigits,
    String byteaOutput) {

  /** The server's defaults with pgjdbc's session settings, TimeZone UTC. */
  public static final ValueFormat DEFAULT =
      new ValueFormat("UTC", "ISO, MDY", "postgres", 3, "hex");

  public ValueFormat {
    Checks.nonNull(timeZone, "timeZone");
    Checks.nonNull(dateStyle, "dateStyle");
    Checks.nonNull(intervalStyle, "intervalStyle");
    Checks.nonNull(byteaOutput, "byteaOutput");
  }

  public ValueFormat withTimeZone(String v) {
    return new ValueFormat(v, dateStyle, intervalStyle, extraFloatDigits, byteaOutput);
  }

  public ValueFormat withDateStyle(String v) {
    return new ValueFormat(timeZone, v, intervalStyle, extraFloatDigits, byteaOutput);
  }

  public ValueFormat withIntervalStyle(String v) {
    return new ValueFormat(timeZone, dateStyle, v, extraFloatDigits, byteaOutput);
  }

  public ValueFormat withExtraFloatDigits(int v) {
    return new ValueFormat(timeZone, dateStyle, intervalStyle, v, byteaOutput);
  }

  public ValueFormat withByteaOutput(String v) {
    return new ValueFormat(timeZone, dateStyle, intervalStyle, extraFloatDigits, v);
  }

  /** The session's TimeZone as a Java zone, if Java's time-zone database has that name. */
  public Optional<ZoneId> zone() {
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
