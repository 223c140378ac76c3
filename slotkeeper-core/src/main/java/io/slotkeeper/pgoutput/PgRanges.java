package io.slotkeeper.pgoutput;

import java.nio.ByteBuffer;

/**
 * Range and multirange send formats (range_send, multirange_send) printed as range_out and
 * multirange_out print them, each bound through its subtype's own text ({@link PgBinary#text}) and
 * range_bound_escape's quoting.
 */
final class PgRanges {
  private PgRanges() {}

  // rangetypes.h
  private static final int EMPTY = 0x01;
  private static final int LB_INC = 0x02;
  private static final int UB_INC = 0x04;
  private static final int LB_INF = 0x08;
  private static final int UB_INF = 0x10;
  private static final int LB_NULL = 0x20;
  private static final int UB_NULL = 0x40;

  /** A range of {@code subtype}: a flags byte, then each present bound as length and bytes. */
  static String rangeText(int subtype, ByteBuffer b, ValueFormat f) {
    int flags = b.get(0) & 0xff;
    if ((flags & EMPTY) != 0) {
      return "empty";
    }
    int at = 1;
    StringBuilder sb = new StringBuilder();
    sb.append((flags & LB_INC) != 0 ? '[' : '(');
    if ((flags & (LB_INF | LB_NULL)) == 0) {
      int len = b.getInt(at);
      escape(sb, PgBinary.text(subtype, slice(b, at + 4, len), f));
      at += 4 + len;
    }
    sb.append(',');
    if ((flags & (UB_INF | UB_NULL)) == 0) {
      int len = b.getInt(at);
      escape(sb, PgBinary.text(subtype, slice(b, at + 4, len), f));
      at += 4 + len;
    }
    sb.append((flags & UB_INC) != 0 ? ']' : ')');
    if (at != b.remaining()) {
      throw new IllegalStateException("range value has " + (b.remaining() - at) + " extra bytes");
    }
    return sb.toString();
  }

  /** A multirange of {@code rangeType}: a count, then each range as length and bytes. */
  static String multirangeText(int rangeType, ByteBuffer b, ValueFormat f) {
    int n = b.getInt(0);
    int at = 4;
    StringBuilder sb = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      int len = b.getInt(at);
      if (i > 0) {
        sb.append(',');
      }
      sb.append(PgBinary.text(rangeType, slice(b, at + 4, len), f));
      at += 4 + len;
    }
    if (at != b.remaining()) {
      throw new IllegalStateException(
          "multirange value has " + (b.remaining() - at) + " extra bytes");
    }
    return sb.append('}').toString();
  }

  private static ByteBuffer slice(ByteBuffer b, int at, int len) {
    if (len < 0 || at + len > b.remaining()) {
      throw new IllegalStateException("range bound of " + len + " bytes past the value's end");
    }
    ByteBuffer s = b.duplicate();
    s.position(b.position() + at).limit(b.position() + at + len);
    return s.slice().order(b.order());
  }

  /** range_bound_escape: quotes a bound that is empty or holds a special character or space. */
  private static void escape(StringBuilder sb, String v) {
    boolean quote = v.isEmpty();
    for (int i = 0; i < v.length() && !quote; i++) {
      char c = v.charAt(i);
      quote =
          c == '"' || c == '\\' || c == '(' || c == ')' || c == '[' || c == ']' || c == ','
              || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }
    if (quote) {
      sb.append('"');
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append(c);
      }
      sb.append(c);
    }
    if (quote) {
      sb.append('"');
    }
  }
}
