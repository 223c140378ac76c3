package io.slotkeeper.pgoutput;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * array_send: int32 number of dimensions, int32 has-nulls flag, int32 element type oid, per
 * dimension int32 length and int32 lower bound, then each element as int32 length (-1 for NULL) and
 * its bytes in the element type's send format. Printed as array_out prints: {@code [lo:hi]=} bounds
 * only when a lower bound is not 1, nested braces, and an element quoted when empty, {@code NULL}
 * in any case, or holding a quote, backslash, brace, comma or white space.
 */
final class PgBinaryArrays {
  private PgBinaryArrays() {}

  private record Header(int elementOid, int[] dims, int[] lbounds, int dataStart) {}

  private static Header header(ByteBuffer b) {
    int ndim = b.getInt(0);
    int elementOid = b.getInt(8);
    if (ndim < 0 || ndim > 6) {
      throw new IllegalArgumentException("array with " + ndim + " dimensions");
    }
    int[] dims = new int[ndim];
    int[] lbounds = new int[ndim];
    for (int d = 0; d < ndim; d++) {
      dims[d] = b.getInt(12 + 8 * d);
      lbounds[d] = b.getInt(16 + 8 * d);
    }
    if (ndim > 0 && !PgTypeOids.isScalarWithCodec(elementOid)) {
      throw PgBinary.noCodec(elementOid);
    }
    return new Header(elementOid, dims, lbounds, 12 + 8 * ndim);
  }

  static String text(ByteBuffer b, ValueFormat f) {
    Header h = header(b);
    if (h.dims().length == 0) {
      return "{}";
    }
    StringBuilder sb = new StringBuilder();
    boolean bounds = false;
    for (int lb : h.lbounds()) {
      bounds |= lb != 1;
    }
    if (bounds) {
      for (int d = 0; d < h.dims().length; d++) {
        sb.append('[').append(h.lbounds()[d]).append(':');
        sb.append(h.lbounds()[d] + h.dims()[d] - 1).append(']');
      }
      sb.append('=');
    }
    int[] at = {h.dataStart()};
    appendLevel(sb, b, f, h, 0, at);
    return sb.toString();
  }

  private static void appendLevel(
      StringBuilder sb, ByteBuffer b, ValueFormat f, Header h, int level, int[] at) {
    sb.append('{');
    for (int i = 0; i < h.dims()[level]; i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (level + 1 < h.dims().length) {
        appendLevel(sb, b, f, h, level + 1, at);
      } else {
        String element = next(b, f, h.elementOid(), at);
        if (element == null) {
          sb.append("NULL");
        } else {
          appendQuoted(sb, element);
        }
      }
    }
    sb.append('}');
  }

  static List<Object> elements(ByteBuffer b, ValueFormat f) {
    Header h = header(b);
    if (h.dims().length == 0) {
      return Collections.emptyList();
    }
    int[] at = {h.dataStart()};
    return level(b, f, h, 0, at);
  }

  private static List<Object> level(ByteBuffer b, ValueFormat f, Header h, int level, int[] at) {
    List<Object> out = new ArrayList<>(h.dims()[level]);
    for (int i = 0; i < h.dims()[level]; i++) {
      out.add(
          level + 1 < h.dims().length
              ? level(b, f, h, level + 1, at)
              : next(b, f, h.elementOid(), at));
    }
    return Collections.unmodifiableList(out);
  }

  /** The element at {@code at[0]} as text (null for NULL), moving {@code at[0]} past it. */
  private static String next(ByteBuffer b, ValueFormat f, int elementOid, int[] at) {
    int n = b.getInt(at[0]);
    at[0] += 4;
    if (n < 0) {
      return null;
    }
    ByteBuffer element = b.slice(at[0], n);
    at[0] += n;
    return PgBinary.text(elementOid, element, f);
  }

  private static void appendQuoted(StringBuilder sb, String s) {
    boolean quote = s.isEmpty() || s.equalsIgnoreCase("NULL");
    for (int i = 0; i < s.length() && !quote; i++) {
      char c = s.charAt(i);
      quote =
          c == '"' || c == '\\' || c == '{' || c == '}' || c == ',' || c == ' ' || c == '\t'
              || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }
    if (!quote) {
      sb.append(s);
      return;
    }
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    sb.append('"');
  }
}
