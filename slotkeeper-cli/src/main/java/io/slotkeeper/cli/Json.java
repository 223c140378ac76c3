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
    LineBytes out = new LineBytes(128);
    append(out, value);
    return out.toString();
  }

  /**
   * Strings are written by {@link LineBytes#jsonString}, the change lines' writer, so the status
   * JSON and the lines escape by one set of rules.
   */
  private static void append(LineBytes out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof CharSequence s) {
      out.jsonString(s);
    } else if (value instanceof Boolean b) {
      out.append(b.booleanValue());
    } else if (value instanceof Double d) {
      // JSON has no NaN or infinity.
      out.append(d.isNaN() || d.isInfinite() ? "null" : formatDouble(d));
    } else if (value instanceof Number n) {
      out.append(n.toString());
    } else if (value instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        out.jsonString(String.valueOf(e.getKey()));
        out.append(':');
        append(out, e.getValue());
      }
      out.append('}');
    } else if (value instanceof Iterable<?> it) {
      out.append('[');
      Iterator<?> i = it.iterator();
      while (i.hasNext()) {
        append(out, i.next());
        if (i.hasNext()) {
          out.append(',');
        }
      }
      out.append(']');
    } else {
      out.jsonString(value.toString());
    }
  }

  private static String formatDouble(double d) {
    // Whole numbers print without ".0" noise; others with at most three decimals (rates, seconds).
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return String.format(java.util.Locale.ROOT, "%.3f", d);
  }
}
