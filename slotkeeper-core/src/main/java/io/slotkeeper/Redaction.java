package io.slotkeeper;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** How the settings' {@code toString} hides secrets: every settings class masks through here. */
final class Redaction {
  static final String MASK = "***";

  private Redaction() {}

  /**
   * {@code ***} for a secret that is set, empty for one that is not (so "no password" stays
   * visible).
   */
  static String secret(String value) {
    return value.isEmpty() ? "" : MASK;
  }

  /** A JDBC URL with the value of any {@code password=} parameter masked. */
  static String url(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1" + MASK);
  }

  /** Connection properties, sorted, with every password-like one (sslpassword, ...) masked. */
  static Map<String, String> properties(Map<String, String> props) {
    Map<String, String> out = new TreeMap<>(props);
    out.replaceAll((k, v) -> k.toLowerCase(Locale.ROOT).contains("password") ? MASK : v);
    return out;
  }
}
