package io.slotkeeper.pgoutput;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * The send formats of date, time, timetz, timestamp, timestamptz and interval ({@code date.c},
 * {@code timestamp.c}), read into Java values and printed as their output functions print them with
 * DateStyle ISO and IntervalStyle postgres ({@code datetime.c}: EncodeDateOnly, EncodeTimeOnly,
 * EncodeDateTime, EncodeInterval). Infinities map as pgjdbc maps them (the type's MAX/MIN), BC
 * years proleptically (1 BC is year 0).
 */
final class PgDateTimes {
  private PgDateTimes() {}

  /** Days from 1970-01-01 to 2000-01-01, PostgreSQL's date epoch. */
  private static final long PG_EPOCH_DAY = 10_957;

  private static final long USECS_PER_DAY = 86_400_000_000L;
  private static final long USECS_PER_HOUR = 3_600_000_000L;
  private static final long USECS_PER_MINUTE = 60_000_000L;
  private static final long USECS_PER_SEC = 1_000_000L;

  // ---------------------------------------------------------------- values

  static LocalDate date(int days) {
    if (days == Integer.MAX_VALUE) {
      return LocalDate.MAX;
    }
    if (days == Integer.MIN_VALUE) {
      return LocalDate.MIN;
    }
    return LocalDate.ofEpochDay(days + PG_EPOCH_DAY);
  }

  static LocalTime time(long micros) {
    return micros >= USECS_PER_DAY ? LocalTime.MAX : LocalTime.ofNanoOfDay(micros * 1000);
  }

  /** timetz_send's zone is in seconds WEST of UTC. */
  static OffsetTime timetz(long micros, int zoneWest) {
    if (micros >= USECS_PER_DAY) {
      return OffsetTime.MAX;
    }
    return OffsetTime.of(time(micros), ZoneOffset.ofTotalSeconds(-zoneWest));
  }

  static LocalDateTime timestamp(long micros) {
    if (micros == Long.MAX_VALUE) {
      return LocalDateTime.MAX;
    }
    if (micros == Long.MIN_VALUE) {
      return LocalDateTime.MIN;
    }
    long days = Math.floorDiv(micros, USECS_PER_DAY);
    long inDay = Math.floorMod(micros, USECS_PER_DAY);
    return LocalDateTime.of(
        LocalDate.ofEpochDay(days + PG_EPOCH_DAY), LocalTime.ofNanoOfDay(inDay * 1000));
  }

  static OffsetDateTime timestamptz(long micros, ValueFormat format) {
    if (micros == Long.MAX_VALUE) {
      return OffsetDateTime.MAX;
    }
    if (micros == Long.MIN_VALUE) {
      return OffsetDateTime.MIN;
    }
    return PgTimestamps.fromPgMicros(micros).atZone(format.requireZone()).toOffsetDateTime();
  }

  static Instant instant(long micros) {
    return PgTimestamps.fromPgMicros(micros);
  }

  // ---------------------------------------------------------------- text

  static String dateText(int days) {
    if (days == Integer.MAX_VALUE) {
      return "infinity";
    }
    if (days == Integer.MIN_VALUE) {
      return "-infinity";
    }
    LocalDate d = date(days);
    StringBuilder sb = new StringBuilder(16);
    appendDate(sb, d);
    return bc(sb, d.getYear()).toString();
  }

  static String timeText(long micros) {
    StringBuilder sb = new StringBuilder(16);
    appendTime(sb, micros);
    return sb.toString();
  }

  static String timetzText(long micros, int zoneWest) {
    StringBuilder sb = new StringBuilder(24);
    appendTime(sb, micros);
    appendZone(sb, zoneWest);
    return sb.toString();
  }

  static String timestampText(long micros) {
    if (micros == Long.MAX_VALUE) {
      return "infinity";
    }
    if (micros == Long.MIN_VALUE) {
      return "-infinity";
    }
    LocalDateTime t = timestamp(micros);
    StringBuilder sb = new StringBuilder(32);
    appendDateTime(sb, t);
    return bc(sb, t.getYear()).toString();
  }

  static String timestamptzText(long micros, ValueFormat format) {
    if (micros == Long.MAX_VALUE) {
      return "infinity";
    }
    if (micros == Long.MIN_VALUE) {
      return "-infinity";
    }
    format.requireIsoDates();
    ZonedDateTime z = PgTimestamps.fromPgMicros(micros).atZone(format.requireZone());
    StringBuilder sb = new StringBuilder(40);
    appendDateTime(sb, z.toLocalDateTime());
    appendZone(sb, -z.getOffset().getTotalSeconds());
    return bc(sb, z.getYear()).toString();
  }

  /** EncodeInterval, IntervalStyle postgres. */
  static String intervalText(PgInterval v) {
    if (v.equals(PgInterval.INFINITY)) {
      return "infinity";
    }
    if (v.equals(PgInterval.NEGATIVE_INFINITY)) {
      return "-infinity";
    }
    long time = v.micros();
    long hour = time / USECS_PER_HOUR;
    time -= hour * USECS_PER_HOUR;
    long min = time / USECS_PER_MINUTE;
    time -= min * USECS_PER_MINUTE;
    long sec = time / USECS_PER_SEC;
    long usec = time - sec * USECS_PER_SEC;
    StringBuilder sb = new StringBuilder(48);
    boolean[] zeroAndBefore = {true, false};
    intPart(sb, v.months() / 12, "year", zeroAndBefore);
    intPart(sb, v.months() % 12, "mon", zeroAndBefore);
    intPart(sb, v.days(), "day", zeroAndBefore);
    boolean isZero = zeroAndBefore[0];
    if (isZero || hour != 0 || min != 0 || sec != 0 || usec != 0) {
      boolean minus = hour < 0 || min < 0 || sec < 0 || usec < 0;
      if (!isZero) {
        sb.append(' ');
      }
      sb.append(minus ? "-" : zeroAndBefore[1] ? "+" : "");
      pad(sb, Math.abs(hour), 2).append(':');
      pad(sb, Math.abs(min), 2).append(':');
      pad(sb, Math.abs(sec), 2);
      fraction(sb, Math.abs(usec));
    }
    return sb.toString();
  }

  /** AddPostgresIntPart: each nonzero field sets "before" for (only) the next one. */
  private static void intPart(StringBuilder sb, long value, String unit, boolean[] zeroAndBefore) {
    if (value == 0) {
      return;
    }
    if (!zeroAndBefore[0]) {
      sb.append(' ');
    }
    if (zeroAndBefore[1] && value > 0) {
      sb.append('+');
    }
    sb.append(value).append(' ').append(unit);
    if (value != 1) {
      sb.append('s');
    }
    zeroAndBefore[1] = value < 0;
    zeroAndBefore[0] = false;
  }

  // ---------------------------------------------------------------- pieces

  private static void appendDate(StringBuilder sb, LocalDate d) {
    int year = d.getYear();
    pad(sb, year > 0 ? year : 1 - year, 4).append('-');
    pad(sb, d.getMonthValue(), 2).append('-');
    pad(sb, d.getDayOfMonth(), 2);
  }

  private static void appendDateTime(StringBuilder sb, LocalDateTime t) {
    appendDate(sb, t.toLocalDate());
    sb.append(' ');
    appendTime(sb, t.toLocalTime().toNanoOfDay() / 1000);
  }

  private static void appendTime(StringBuilder sb, long micros) {
    pad(sb, micros / USECS_PER_HOUR, 2).append(':');
    pad(sb, micros / USECS_PER_MINUTE % 60, 2).append(':');
    pad(sb, micros / USECS_PER_SEC % 60, 2);
    fraction(sb, micros % USECS_PER_SEC);
  }

  /** EncodeTimezone: the zone is seconds west; prints +HH, +HH:MM or +HH:MM:SS east. */
  private static void appendZone(StringBuilder sb, int zoneWest) {
    int east = Math.abs(zoneWest);
    sb.append(zoneWest <= 0 ? '+' : '-');
    int hour = east / 3600;
    int min = east / 60 % 60;
    int sec = east % 60;
    pad(sb, hour, 2);
    if (sec != 0) {
      pad(sb.append(':'), min, 2).append(':');
      pad(sb, sec, 2);
    } else if (min != 0) {
      pad(sb.append(':'), min, 2);
    }
  }

  /** AppendSeconds: a fraction only when nonzero, without trailing zeros. */
  private static void fraction(StringBuilder sb, long usec) {
    if (usec == 0) {
      return;
    }
    String digits = Long.toString(1_000_000 + usec).substring(1);
    int end = digits.length();
    while (digits.charAt(end - 1) == '0') {
      end--;
    }
    sb.append('.').append(digits, 0, end);
  }

  private static StringBuilder bc(StringBuilder sb, int year) {
    return year <= 0 ? sb.append(" BC") : sb;
  }

  private static StringBuilder pad(StringBuilder sb, long value, int width) {
    String s = Long.toString(value);
    for (int i = s.length(); i < width; i++) {
      sb.append('0');
    }
    return sb.append(s);
  }
}
