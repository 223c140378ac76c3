package io.slotkeeper.pgoutput;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * Parses the text output of PostgreSQL's built-in types into Java values: what {@link
 * ColumnValue}'s typed accessors use. The text is what the server's output functions print with the
 * settings a replication connection runs with (pgjdbc sets {@code DateStyle = ISO}; {@code
 * bytea_output} hex or escape). The mapping of values Java has no exact counterpart for follows
 * pgjdbc's {@code getObject}, so both read a row alike: {@code infinity} is the type's {@code MAX},
 * {@code -infinity} its {@code MIN}, {@code 24:00:00} is {@link LocalTime#MAX}, and BC years are
 * proleptic (1 BC is year 0).
 */
final class PgText {
  private PgText() {}

  static boolean bool(String s) {
    switch (s) {
      case "t":
        return true;
      case "f":
        return false;
      default:
        throw bad(s, "boolean", "'t' or 'f'");
    }
  }

  static BigDecimal numeric(String s) {
    if (s.equals("NaN") || s.endsWith("Infinity")) {
      throw new ArithmeticException(
          "numeric value " + s + " has no BigDecimal; read it with text() or asDouble()");
    }
    return new BigDecimal(s);
  }

  static double float8(String s) {
    return Double.parseDouble(s);
  }

  /** bytea in either output format: hex ({@code \x0aff}) or escape ({@code a\000\\}). */
  static byte[] bytea(String s) {
    if (s.startsWith("\\x")) {
      int n = (s.length() - 2) / 2;
      if ((s.length() - 2) % 2 != 0) {
        throw bad(s, "bytea", "an even number of hex digits after \\x");
      }
      byte[] out = new byte[n];
      for (int i = 0; i < n; i++) {
        out[i] = (byte) Integer.parseInt(s.substring(2 + 2 * i, 4 + 2 * i), 16);
      }
      return out;
    }
    byte[] buf = new byte[s.length()];
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        buf[n++] = (byte) c;
      } else if (i + 1 < s.length() && s.charAt(i + 1) == '\\') {
        buf[n++] = '\\';
        i++;
      } else if (i + 3 < s.length()) {
        buf[n++] = (byte) Integer.parseInt(s.substring(i + 1, i + 4), 8);
        i += 3;
      } else {
        throw bad(s, "bytea", "hex (\\x...) or escape format");
      }
    }
    byte[] out = new byte[n];
    System.arraycopy(buf, 0, out, 0, n);
    return out;
  }

  static UUID uuid(String s) {
    return UUID.fromString(s);
  }

  static LocalDate date(String s) {
    if (s.equals("infinity")) {
      return LocalDate.MAX;
    }
    if (s.equals("-infinity")) {
      return LocalDate.MIN;
    }
    boolean bc = s.endsWith(" BC");
    String d = bc ? s.substring(0, s.length() - 3) : s;
    int dash2 = d.lastIndexOf('-');
    int dash1 = d.lastIndexOf('-', dash2 - 1);
    if (dash1 <= 0 || dash2 < 0) {
      throw bad(s, "date", "YYYY-MM-DD (DateStyle ISO)");
    }
    int year = Integer.parseInt(d.substring(0, dash1));
    return LocalDate.of(
        bc ? 1 - year : year,
        Integer.parseInt(d.substring(dash1 + 1, dash2)),
        Integer.parseInt(d.substring(dash2 + 1)));
  }

  static LocalTime time(String s) {
    if (s.startsWith("24:00:00")) {
      return LocalTime.MAX;
    }
    int h = Integer.parseInt(s.substring(0, 2));
    int m = Integer.parseInt(s.substring(3, 5));
    int sec = Integer.parseInt(s.substring(6, 8));
    int nanos = 0;
    if (s.length() > 8) {
      if (s.charAt(8) != '.') {
        throw bad(s, "time", "HH:MM:SS[.ffffff]");
      }
      String frac = s.substring(9);
      nanos = Integer.parseInt((frac + "000000000").substring(0, 9));
    }
    return LocalTime.of(h, m, sec, nanos);
  }

  static OffsetTime timetz(String s) {
    if (s.startsWith("24:00:00")) {
      // Whatever its offset, as pgjdbc reads it.
      return OffsetTime.MAX;
    }
    int sign = offsetStart(s, 8);
    return OffsetTime.of(time(s.substring(0, sign)), offset(s.substring(sign)));
  }

  static LocalDateTime timestamp(String s) {
    if (s.equals("infinity")) {
      return LocalDateTime.MAX;
    }
    if (s.equals("-infinity")) {
      return LocalDateTime.MIN;
    }
    boolean bc = s.endsWith(" BC");
    String t = bc ? s.substring(0, s.length() - 3) : s;
    int space = t.indexOf(' ');
    if (space < 0) {
      throw bad(s, "timestamp", "YYYY-MM-DD HH:MM:SS[.ffffff] (DateStyle ISO)");
    }
    return LocalDateTime.of(
        date(t.substring(0, space) + (bc ? " BC" : "")), time(t.substring(space + 1)));
  }

  static OffsetDateTime timestamptz(String s) {
    if (s.equals("infinity")) {
      return OffsetDateTime.MAX;
    }
    if (s.equals("-infinity")) {
      return OffsetDateTime.MIN;
    }
    boolean bc = s.endsWith(" BC");
    String t = bc ? s.substring(0, s.length() - 3) : s;
    int space = t.indexOf(' ');
    if (space < 0) {
      throw bad(s, "timestamptz", "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM] (DateStyle ISO)");
    }
    int sign = offsetStart(t, space + 9);
    LocalDateTime local = timestamp(t.substring(0, sign) + (bc ? " BC" : ""));
    return OffsetDateTime.of(local, offset(t.substring(sign)));
  }

  /**
   * Where the {@code +HH[:MM[:SS]]} or {@code -HH...} zone offset starts, searching from {@code
   * from}.
   */
  private static int offsetStart(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '+' || c == '-') {
        return i;
      }
    }
    throw bad(s, "time with time zone", "a value ending in +HH[:MM[:SS]] or -HH[:MM[:SS]]");
  }

  private static ZoneOffset offset(String s) {
    int sign = s.charAt(0) == '-' ? -1 : 1;
    String[] parts = s.substring(1).split(":");
    int h = Integer.parseInt(parts[0]);
    int m = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
    int sec = parts.length > 2 ? Integer.parseInt(parts[2]) : 0;
    return ZoneOffset.ofHoursMinutesSeconds(sign * h, sign * m, sign * sec);
  }

  /**
   * interval as IntervalStyle postgres prints it: {@code 1 year 2 mons -3 days +04:05:06.789},
   * {@code 00:00:00}, {@code infinity}.
   */
  static PgInterval interval(String s) {
    if (s.equals("infinity")) {
      return PgInterval.INFINITY;
    }
    if (s.equals("-infinity")) {
      return PgInterval.NEGATIVE_INFINITY;
    }
    String[] parts = s.split(" ");
    long months = 0;
    long days = 0;
    long micros = 0;
    try {
      for (int i = 0; i < parts.length; i++) {
        String p = parts[i];
        if (p.indexOf(':') >= 0) {
          boolean minus = p.startsWith("-");
          String t = minus || p.startsWith("+") ? p.substring(1) : p;
          String[] hms = t.split(":");
          String[] sec = hms[2].split("\\.");
          long frac = sec.length > 1 ? Long.parseLong((sec[1] + "000000").substring(0, 6)) : 0;
          long total =
              Long.parseLong(hms[0]) * 3_600_000_000L
                  + Long.parseLong(hms[1]) * 60_000_000L
                  + Long.parseLong(sec[0]) * 1_000_000L
                  + frac;
          micros = minus ? -total : total;
        } else {
          long n = Long.parseLong(p.startsWith("+") ? p.substring(1) : p);
          String unit = parts[++i];
          if (unit.startsWith("year")) {
            months += n * 12;
          } else if (unit.startsWith("mon")) {
            months += n;
          } else if (unit.startsWith("day")) {
            days += n;
          } else {
            throw bad(s, "interval", "years, mons, days and HH:MM:SS (IntervalStyle postgres)");
          }
        }
      }
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException
          && e.getMessage() != null
          && e.getMessage().contains("IntervalStyle")) {
        throw e;
      }
      throw bad(s, "interval", "years, mons, days and HH:MM:SS (IntervalStyle postgres)");
    }
    return new PgInterval(Math.toIntExact(months), Math.toIntExact(days), micros);
  }

  /** inet or cidr: an address literal with an optional {@code /bits}. */
  static PgInet inet(String s) {
    int slash = s.indexOf('/');
    String address = slash < 0 ? s : s.substring(0, slash);
    boolean v6 = address.indexOf(':') >= 0;
    if (!v6 && !address.matches("[0-9.]+") || v6 && !address.matches("[0-9a-fA-F:.]+")) {
      throw bad(s, "inet", "an IPv4 or IPv6 address with an optional /bits");
    }
    try {
      int bits = slash < 0 ? (v6 ? 128 : 32) : Integer.parseInt(s.substring(slash + 1));
      return new PgInet(java.net.InetAddress.getByName(address), bits);
    } catch (java.net.UnknownHostException | NumberFormatException e) {
      throw bad(s, "inet", "an IPv4 or IPv6 address with an optional /bits");
    }
  }

  /**
   * An array literal as nested lists of element texts ({@code null} for SQL NULL): {@code
   * {1,NULL,3}} is {@code [1, null, 3]}, {@code {{1,2},{3,4}}} is {@code [[1, 2], [3, 4]]}. Bounds
   * ({@code [0:2]=}) are dropped, as pgjdbc drops them. The delimiter is the comma every built-in
   * type but {@code box} uses.
   */
  static List<Object> array(String s) {
    int at = 0;
    if (s.startsWith("[")) {
      at = s.indexOf('=') + 1;
      if (at == 0) {
        throw bad(s, "array", "[lower:upper]={...}");
      }
    }
    ArrayParser p = new ArrayParser(s, at);
    List<Object> out = p.list();
    if (p.pos != s.length()) {
      throw bad(s, "array", "nothing after the closing brace");
    }
    return out;
  }

  private static final class ArrayParser {
    private final String s;
    private int pos;

    ArrayParser(String s, int pos) {
      this.s = s;
      this.pos = pos;
    }

    List<Object> list() {
      expect('{');
      List<Object> items = new ArrayList<>();
      if (peek() == '}') {
        pos++;
        return Collections.unmodifiableList(items);
      }
      while (true) {
        char c = peek();
        if (c == '{') {
          items.add(list());
        } else if (c == '"') {
          items.add(quoted());
        } else {
          int start = pos;
          while (peek() != ',' && peek() != '}') {
            pos++;
          }
          String token = s.substring(start, pos).trim();
          items.add(token.equalsIgnoreCase("NULL") ? null : token);
        }
        char next = s.charAt(pos++);
        if (next == '}') {
          return Collections.unmodifiableList(items);
        }
        if (next != ',') {
          throw bad(s, "array", "',' or '}' at position " + (pos - 1));
        }
      }
    }

    private String quoted() {
      expect('"');
      StringBuilder sb = new StringBuilder();
      while (true) {
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\') {
          c = s.charAt(pos++);
        }
        sb.append(c);
      }
    }

    private char peek() {
      if (pos >= s.length()) {
        throw bad(s, "array", "a closing brace");
      }
      return s.charAt(pos);
    }

    private void expect(char c) {
      if (peek() != c) {
        throw bad(s, "array", "'" + c + "' at position " + pos);
      }
      pos++;
    }
  }

  private static IllegalArgumentException bad(String value, String type, String expected) {
    return new IllegalArgumentException(
        "'" + value + "' is not " + type + " text output: expected " + expected);
  }
}
