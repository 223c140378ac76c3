package io.slotkeeper.soak;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The one text form in which the oracle (test_decoding) and the engine's envelopes are compared:
 * {@code INSERT t id=1 v=abc big=#2600:1a2b3c4d}. Long values are kept as length and checksum so
 * the run's memory stays small; SQL NULL is {@code null}; an unchanged TOAST value is {@code
 * unchanged}.
 */
final class Canon {
  private Canon() {}

  static final String NULL = "null";
  static final String UNCHANGED = "unchanged";
  private static final int SHORT = 64;

  static String value(String text) {
    if (text == null) {
      return NULL;
    }
    if (text.length() <= SHORT) {
      return text;
    }
    return digest(text);
  }

  static String digest(String text) {
    CRC32C crc = new CRC32C();
    crc.update(text.getBytes(StandardCharsets.UTF_8));
    return "#"
        + text.length()
        + ":"
        + Long.toHexString(crc.getValue())
        + ":"
        + Integer.toHexString(text.hashCode());
  }

  static String message(boolean transactional, String prefix, String content) {
    return (transactional ? "MESSAGE-T " : "MESSAGE-N ") + prefix + " " + content;
  }
}
