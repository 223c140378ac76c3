package io.slotkeeper.internal.physical;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses settings as a walsender's SHOW prints them: with PostgreSQL's units ("16MB", "60s",
 * "1min", "0"). An ordinary connection could read raw numbers from pg_settings, but a physical
 * walsender answers no SQL.
 */
final class ServerUnits {
  private static final Pattern VALUE = Pattern.compile("\\s*(-?\\d+)\\s*([a-zA-Z]*)\\s*");

  private ServerUnits() {}

  static long bytes(String shown) {
    Matcher m = match(shown);
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "", "B" -> n;
      case "kB" -> n << 10;
      case "MB" -> n << 20;
      case "GB" -> n << 30;
      case "TB" -> n << 40;
      default -> throw new IllegalArgumentException("unknown size unit in '" + shown + "'");
    };
  }

  static Duration duration(String shown) {
    Matcher m = match(shown);
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "", "ms" -> Duration.ofMillis(n);
      case "us" -> Duration.ofNanos(n * 1000);
      case "s" -> Duration.ofSeconds(n);
      case "min" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> throw new IllegalArgumentException("unknown time unit in '" + shown + "'");
    };
  }

  private static Matcher match(String shown) {
    Matcher m = VALUE.matcher(shown == null ? "" : shown);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a setting value: '" + shown + "'");
    }
    return m;
  }
}
