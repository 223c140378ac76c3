package io.slotkeeper.cli;

import java.util.Iterator;
import java.util.Map;

/**
 * The little JSON the program writes: strings, numbers, booleans, null, maps (kept in insertion
 * order) and iterables. Hand-written because the program only ever writes JSON and the output must
 * stay byte-for-byte predictable for the people piping it into other tools.
 */
final class Json {
  private Json() {}

  /** Serializes a value made of Map, Iterable, CharSequence, Number, Boolean and null. */
  static String write(Object value) {
    StringBuilder sb = new StringBuilder(128);
    append(sb, value);
    return sb.toString();
  }

  static void append(StringBuilder sb, Object value) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof CharSequence s) {
      string(sb, s);
    } else if (value instanceof Boolean b) {
      sb.append(b.booleanValue());
    } else if (value instanceof Double d) {
      // JSON has no NaN or infinity.
      sb.append(d.isNaN() || d.isInfinite() ? "null" : formatDouble(d));
    } else if (value instanceof Number n) {
      sb.append(n);
    } else if (value instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        string(sb, String.valueOf(e.getKey()));
        sb.append(':');
        append(sb, e.getValue());
      }
      sb.append('}');
    } else if (value instanceof Iterable<?> it) {
      sb.append('[');
      Iterator<?> i = it.iterator();
      while (i.hasNext()) {
        append(sb, i.next());
        if (i.hasNext()) {
          sb.append(',');
        }
      }
      sb.append(']');
    } else {
      string(sb, value.toString());
    }
  }

  private static String formatDouble(double d) {
    // Whole numbers print without ".0" noise; others with at most three decimals (rates, seconds).
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return String.format(java.util.Locale.ROOT, "%.3f", d);
  }

  /**
   * Appends {@code s} as a JSON string literal. Runs of characters that need no escape (nearly all
   * of a value) are copied in bulk: one {@code append} per character was a tenth of the program's
   * CPU in a catch-up profile (issue 16).
   */
  static void string(StringBuilder sb, CharSequence s) {
    sb.append('"');
    int n = s.length();
    int from = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      // Control characters must be escaped; U+2028/2029 too, so a line is a line in any reader.
      if (c >= 0x20 && c != '"' && c != '\\' && c != '\u2028' && c != '\u2029') {
        continue;
      }
      sb.append(s, from, i);
      escape(sb, c);
      from = i + 1;
    }
    if (from == 0) {
      sb.append(s);
    } else {
      sb.append(s, from, n);
    }
    sb.append('"');
  }

  private static void escape(StringBuilder sb, char c) {
    switch (c) {
      case '"' -> sb.append("\\\"");
      case '\\' -> sb.append("\\\\");
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      case '\b' -> sb.append("\\b");
      case '\f' -> sb.append("\\f");
      default -> sb.append(String.format("\\u%04x", (int) c));
    }
  }
}
