package io.slotkeeper.cli;

import java.util.Locale;

/** Numbers for people. */
final class Format {
  private Format() {}

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB", "PB"};
    double v = b;
    int u = -1;
    do {
      v /= 1024;
      u++;
    } while (v >= 1024 && u < units.length - 1);
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** A value that may be missing (SQL NULL) in a table: "-" then. */
  static String orDash(String s) {
    return s == null ? "-" : s;
  }

  static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
