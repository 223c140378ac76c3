package io.slotkeeper.cli;

import io.slotkeeper.Lsn;
import io.slotkeeper.pgoutput.ColumnValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * JSON lines built as the UTF-8 bytes that are written. A row's text values go from the decoded
 * message's bytes into the line without becoming Strings: a catch-up profile of the program (issue
 * 16) spent a fifth of its samples decoding values to Strings, appending them to a StringBuilder
 * and encoding the batch back to UTF-8 for the pipe.
 *
 * <p>The output is byte for byte what the program wrote before, a StringBuilder encoded with {@code
 * getBytes(UTF_8)}: the same escapes, and what Java does with text that is not valid (a lone
 * surrogate becomes {@code ?}, malformed UTF-8 in a value becomes U+FFFD, as decoding it to a
 * String did). {@code LineBytesTest} holds that to the old path over random input. {@link
 * #jsonString} is the program's one JSON string writer: {@link Json#write} (the status JSON) uses
 * it too.
 *
 * <p>One per writing thread; not thread-safe.
 */
final class LineBytes {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private byte[] buf;
  private int len;
  // A value that needs escapes is copied here first (only such values; rare in practice).
  private byte[] scratch = new byte[64];

  LineBytes(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  int length() {
    return len;
  }

  int capacity() {
    return buf.length;
  }

  void clear() {
    len = 0;
  }

  /** Writes the lines to {@code target} (not flushed). */
  void writeTo(OutputTarget target) throws IOException {
    target.write(buf, 0, len);
  }

  /** The lines as text (tests and small one-off lines). */
  @Override
  public String toString() {
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }

  private void ensure(int extra) {
    int need = len + extra;
    if (need < 0) {
      throw new OutOfMemoryError("a batch of lines beyond 2 GiB");
    }
    if (need > buf.length) {
      buf =
          Arrays.copyOf(
              buf, Math.max(need, (int) Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
    }
  }

  /** Appends {@code s} as it is (not a JSON literal): UTF-8, as {@code getBytes} encodes it. */
  LineBytes append(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        // Field names and numbers are ASCII; anything else takes the general path.
        byte[] b = s.substring(i).getBytes(StandardCharsets.UTF_8);
        len += i;
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
      }
      buf[len + i] = (byte) c;
    }
    len += n;
    return this;
  }

  /** Appends the ASCII character {@code c}. */
  LineBytes append(char c) {
    if (c >= 0x80) {
      return append(String.valueOf(c));
    }
    ensure(1);
    buf[len++] = (byte) c;
    return this;
  }

  /** {@code lsn} in PostgreSQL's text form, as {@link Lsn#toString()} writes it. */
  LineBytes append(Lsn lsn) {
    ChangeJson.lsn(this, lsn);
    return this;
  }

  LineBytes append(boolean b) {
    return append(b ? "true" : "false");
  }

  /** {@code v} in decimal, as {@link Long#toString(long)} writes it, without a String. */
  LineBytes append(long v) {
    if (v == Long.MIN_VALUE) {
      return append(Long.toString(v));
    }
    ensure(20);
    if (v < 0) {
      buf[len++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long t = v; t >= 10; t /= 10) {
      digits++;
    }
    for (int i = len + digits - 1; i >= len; i--) {
      buf[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
    len += digits;
    return this;
  }

  /** {@code s} as a JSON string literal, UTF-8 encoded. */
  LineBytes jsonString(CharSequence s) {
    int n = s.length();
    // Worst case 6 bytes a character (an escape); a surrogate pair is 2 characters for 4 bytes.
    ensure(2 + 6 * n);
    byte[] b = buf;
    int at = len;
    b[at++] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          b[at++] = (byte) c;
        } else {
          at = escape(b, at, c);
        }
      } else if (c < 0x800) {
        b[at++] = (byte) (0xC0 | (c >> 6));
        b[at++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isSurrogate(c)) {
        char next = i + 1 < n ? s.charAt(i + 1) : 0;
        if (Character.isHighSurrogate(c) && Character.isLowSurrogate(next)) {
          int cp = Character.toCodePoint(c, next);
          b[at++] = (byte) (0xF0 | (cp >> 18));
          b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
          b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
          b[at++] = (byte) (0x80 | (cp & 0x3F));
          i++;
        } else {
          // What String.getBytes(UTF_8) writes for a lone surrogate.
          b[at++] = '?';
        }
      } else if (c == '\u2028' || c == '\u2029') {
        at = escape(b, at, c);
      } else {
        b[at++] = (byte) (0xE0 | (c >> 12));
        b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        b[at++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    b[at++] = '"';
    len = at;
    return this;
  }

  /**
   * A value's text as a JSON string literal: a TEXT value's bytes copied as they are when they are
   * valid UTF-8 (escaping what JSON and line readers need), anything else through its {@link
   * ColumnValue#text()}.
   */
  LineBytes jsonText(ColumnValue v) {
    if (v.kind() != ColumnValue.Kind.TEXT) {
      return jsonString(v.text());
    }
    int n = v.length();
    ensure(2 + n);
    int start = len;
    buf[start] = '"';
    v.copyTo(buf, start + 1);
    int clean = cleanPrefix(buf, start + 1, n);
    if (clean == n) {
      buf[start + 1 + n] = '"';
      len = start + 2 + n;
      return this;
    }
    if (!validUtf8(buf, start + 1 + clean, n - clean)) {
      // Decoding replaces what is malformed with U+FFFD; the String path does exactly that.
      return jsonString(v.text());
    }
    // Valid but with characters to escape: rewrite from a copy.
    if (scratch.length < n) {
      scratch = new byte[Math.max(n, 2 * scratch.length)];
    }
    System.arraycopy(buf, start + 1 + clean, scratch, 0, n - clean);
    len = start + 1 + clean;
    ensure(6 * (n - clean) + 1);
    byte[] b = buf;
    int at = len;
    for (int i = 0; i < n - clean; i++) {
      int x = scratch[i] & 0xFF;
      if (x < 0x80) {
        if (x >= 0x20 && x != '"' && x != '\\') {
          b[at++] = (byte) x;
        } else {
          at = escape(b, at, (char) x);
        }
      } else if (x == 0xE2
          && i + 2 < n - clean
          && scratch[i + 1] == (byte) 0x80
          && (scratch[i + 2] == (byte) 0xA8 || scratch[i + 2] == (byte) 0xA9)) {
        // U+2028 and U+2029, line separators to some readers.
        at = escape(b, at, scratch[i + 2] == (byte) 0xA8 ? '\u2028' : '\u2029');
        i += 2;
      } else {
        b[at++] = (byte) x;
      }
    }
    b[at++] = '"';
    len = at;
    return this;
  }

  /** How many bytes from {@code from} need no escape and are ASCII. */
  private static int cleanPrefix(byte[] b, int from, int n) {
    for (int i = 0; i < n; i++) {
      byte x = b[from + i];
      // Negative: not ASCII (a multi-byte sequence to check).
      if (x < 0x20 || x == '"' || x == '\\') {
        return i;
      }
    }
    return n;
  }

  /**
   * Whether {@code b[from, from+n)} is well-formed UTF-8 (the Unicode standard's table 3-7: no
   * overlong forms, no surrogates, nothing past U+10FFFF), which Java decodes and encodes back to
   * the same bytes.
   */
  static boolean validUtf8(byte[] b, int from, int n) {
    int i = from;
    int end = from + n;
    while (i < end) {
      int x = b[i] & 0xFF;
      if (x < 0x80) {
        i++;
        continue;
      }
      int more;
      int lo = 0x80;
      int hi = 0xBF;
      if (x >= 0xC2 && x <= 0xDF) {
        more = 1;
      } else if (x >= 0xE0 && x <= 0xEF) {
        more = 2;
        if (x == 0xE0) {
          lo = 0xA0;
        } else if (x == 0xED) {
          hi = 0x9F;
        }
      } else if (x >= 0xF0 && x <= 0xF4) {
        more = 3;
        if (x == 0xF0) {
          lo = 0x90;
        } else if (x == 0xF4) {
          hi = 0x8F;
        }
      } else {
        return false;
      }
      if (i + more >= end) {
        return false; // cut short
      }
      int second = b[i + 1] & 0xFF;
      if (second < lo || second > hi) {
        return false;
      }
      for (int k = 2; k <= more; k++) {
        int c = b[i + k] & 0xFF;
        if (c < 0x80 || c > 0xBF) {
          return false;
        }
      }
      i += more + 1;
    }
    return true;
  }

  /**
   * {@code c}'s JSON escape: the short forms JSON has, else {@code \\u} and four lower-case hex
   * digits (control characters, and U+2028/U+2029 so that a line is a line in any reader).
   */
  private static int escape(byte[] b, int at, char c) {
    b[at++] = '\\';
    switch (c) {
      case '"' -> b[at++] = '"';
      case '\\' -> b[at++] = '\\';
      case '\n' -> b[at++] = 'n';
      case '\r' -> b[at++] = 'r';
      case '\t' -> b[at++] = 't';
      case '\b' -> b[at++] = 'b';
      case '\f' -> b[at++] = 'f';
      default -> {
        b[at++] = 'u';
        b[at++] = HEX[(c >> 12) & 0xF];
        b[at++] = HEX[(c >> 8) & 0xF];
        b[at++] = HEX[(c >> 4) & 0xF];
        b[at++] = HEX[c & 0xF];
      }
    }
    return at;
  }

  /** Inserts {@code other}'s bytes at {@code at}. */
  void insert(int at, LineBytes other) {
    ensure(other.len);
    System.arraycopy(buf, at, buf, at + other.len, len - at);
    System.arraycopy(other.buf, 0, buf, at, other.len);
    len += other.len;
  }
}
