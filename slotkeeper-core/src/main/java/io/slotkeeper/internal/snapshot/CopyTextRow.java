package io.slotkeeper.internal.snapshot;

import io.slotkeeper.pgoutput.ColumnValue;

/**
 * One row of {@code COPY ... TO STDOUT} in text format (one CopyData message) as values, each equal
 * to the server's text output of that value ({@code SELECT col::text}), as a TEXT {@link
 * ColumnValue} like the ones pgoutput sends.
 *
 * <p>The rules are PostgreSQL's own reading of the format ({@code CopyReadAttributesText} in
 * copyfromparse.c, the inverse of copyto.c's {@code CopyAttributeOutText}): fields are separated by
 * tabs and the row ends with a newline; a field that is exactly {@code \N} (before any unescaping)
 * is NULL; a backslash starts an escape: {@code \b \f \n \r \t \v} are those control characters,
 * {@code \NNN} (one to three octal digits) and {@code \xHH} (one or two hex digits) are the byte
 * with that value, and a backslash before any other character stands for that character (so {@code
 * \\} is a backslash and {@code \N} inside a longer field is the letter N). The server writes only
 * the one-letter escapes and {@code \\}; the others are read anyway, as the server would read them.
 * The bytes are the connection's client encoding, UTF-8 (pgjdbc's).
 */
final class CopyTextRow {
  private CopyTextRow() {}

  /**
   * The {@code columns} values of {@code row}.
   *
   * @throws IllegalStateException when the row does not have exactly {@code columns} fields or ends
   *     inside an escape
   */
  static ColumnValue[] parse(byte[] row, int columns) {
    int end = row.length;
    if (end > 0 && row[end - 1] == '\n') {
      end--;
    }
    ColumnValue[] values = new ColumnValue[columns];
    int field = 0;
    int start = 0;
    byte[] scratch = null;
    while (true) {
      int i = start;
      boolean escaped = false;
      while (i < end && row[i] != '\t') {
        if (row[i] == '\\') {
          escaped = true;
          i++; // the escaped byte cannot be a field separator
        }
        i++;
      }
      if (i > end) {
        throw new IllegalStateException("COPY text row ends inside an escape: " + show(row));
      }
      if (field >= columns) {
        throw wrongCount(row, columns);
      }
      if (!escaped) {
        values[field] = ColumnValue.text(row, start, i - start);
      } else if (i - start == 2 && row[start + 1] == 'N') {
        values[field] = ColumnValue.NULL;
      } else {
        if (scratch == null || scratch.length < i - start) {
          scratch = new byte[Math.max(64, i - start)];
        }
        int n = unescape(row, start, i, scratch);
        values[field] = ColumnValue.text(scratch, 0, n);
      }
      field++;
      if (i == end) {
        break;
      }
      start = i + 1;
    }
    if (field != columns) {
      throw wrongCount(row, columns);
    }
    return values;
  }

  /** Unescapes {@code row[from, to)} into {@code out}; the number of bytes written. */
  private static int unescape(byte[] row, int from, int to, byte[] out) {
    int n = 0;
    int i = from;
    while (i < to) {
      byte c = row[i++];
      if (c != '\\') {
        out[n++] = c;
        continue;
      }
      c = row[i++]; // present: the field's scan stepped over it
      switch (c) {
        case 'b' -> out[n++] = '\b';
        case 'f' -> out[n++] = '\f';
        case 'n' -> out[n++] = '\n';
        case 'r' -> out[n++] = '\r';
        case 't' -> out[n++] = '\t';
        case 'v' -> out[n++] = 0x0b;
        case '0', '1', '2', '3', '4', '5', '6', '7' -> {
          int v = c - '0';
          for (int k = 0; k < 2 && i < to && row[i] >= '0' && row[i] <= '7'; k++) {
            v = (v << 3) + (row[i++] - '0');
          }
          out[n++] = (byte) v;
        }
        case 'x' -> {
          int h = i < to ? hex(row[i]) : -1;
          if (h < 0) {
            out[n++] = 'x';
          } else {
            int v = h;
            i++;
            int h2 = i < to ? hex(row[i]) : -1;
            if (h2 >= 0) {
              v = (v << 4) + h2;
              i++;
            }
            out[n++] = (byte) v;
          }
        }
        default -> out[n++] = c;
      }
    }
    return n;
  }

  private static int hex(byte b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    if (b >= 'a' && b <= 'f') {
      return b - 'a' + 10;
    }
    if (b >= 'A' && b <= 'F') {
      return b - 'A' + 10;
    }
    return -1;
  }

  private static IllegalStateException wrongCount(byte[] row, int columns) {
    int fields = 1;
    boolean escape = false;
    for (byte b : row) {
      if (escape) {
        escape = false;
      } else if (b == '\\') {
        escape = true;
      } else if (b == '\t') {
        fields++;
      }
    }
    return new IllegalStateException(
        "COPY text row has "
            + fields
            + (fields == 1 ? " field" : " fields")
            + " where "
            + columns
            + " columns were selected: "
            + show(row));
  }

  private static String show(byte[] row) {
    String s =
        new String(row, 0, Math.min(row.length, 200), java.nio.charset.StandardCharsets.UTF_8);
    return row.length > 200 ? s + "…" : s;
  }
}
