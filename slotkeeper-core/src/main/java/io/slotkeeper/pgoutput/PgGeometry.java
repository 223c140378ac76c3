package io.slotkeeper.pgoutput;

import java.nio.ByteBuffer;

/**
 * The geometric types' send formats (float8s, as point_send, lseg_send, box_send, line_send,
 * circle_send, path_send and poly_send write them) printed as their output functions print them:
 * every coordinate through float8out_internal ({@link PgFloats#float8}, by {@code
 * extra_float_digits}), in path_encode's brackets.
 */
final class PgGeometry {
  private PgGeometry() {}

  static final int POINT = 600;
  static final int LSEG = 601;
  static final int PATH = 602;
  static final int BOX = 603;
  static final int POLYGON = 604;
  static final int LINE = 628;
  static final int CIRCLE = 718;

  static boolean isGeometric(int oid) {
    return oid == POINT
        || oid == LSEG
        || oid == PATH
        || oid == BOX
        || oid == POLYGON
        || oid == LINE
        || oid == CIRCLE;
  }

  /** The size of a fixed-size geometric send format, -1 for path and polygon. */
  static int fixedSize(int oid) {
    return switch (oid) {
      case POINT -> 16;
      case LSEG, BOX -> 32;
      case LINE, CIRCLE -> 24;
      default -> -1;
    };
  }

  static String text(int oid, ByteBuffer b, ValueFormat f) {
    int digits = f.extraFloatDigits();
    StringBuilder sb = new StringBuilder();
    switch (oid) {
      case POINT -> point(sb, b, 0, digits);
      case LSEG -> {
        sb.append('[');
        points(sb, b, 0, 2, digits);
        sb.append(']');
      }
      case BOX -> points(sb, b, 0, 2, digits);
      case LINE ->
          sb.append('{')
              .append(PgFloats.float8(b.getDouble(0), digits))
              .append(',')
              .append(PgFloats.float8(b.getDouble(8), digits))
              .append(',')
              .append(PgFloats.float8(b.getDouble(16), digits))
              .append('}');
      case CIRCLE -> {
        sb.append('<');
        point(sb, b, 0, digits);
        sb.append(',').append(PgFloats.float8(b.getDouble(16), digits)).append('>');
      }
      case PATH -> {
        boolean closed = b.get(0) != 0;
        int n = count(b, 1, 5);
        sb.append(closed ? '(' : '[');
        points(sb, b, 5, n, digits);
        sb.append(closed ? ')' : ']');
      }
      case POLYGON -> {
        int n = count(b, 0, 4);
        sb.append('(');
        points(sb, b, 4, n, digits);
        sb.append(')');
      }
      default -> throw PgBinary.noCodec(oid);
    }
    return sb.toString();
  }

  /** The point count at {@code at}, checked against the bytes that follow {@code start}. */
  private static int count(ByteBuffer b, int at, int start) {
    int n = b.getInt(at);
    if (n < 0 || (long) n * 16 != b.remaining() - start) {
      throw new IllegalStateException(
          "geometric value of " + b.remaining() + " bytes does not hold " + n + " points");
    }
    return n;
  }

  private static void points(StringBuilder sb, ByteBuffer b, int from, int n, int digits) {
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(',');
      }
      point(sb, b, from + 16 * i, digits);
    }
  }

  private static void point(StringBuilder sb, ByteBuffer b, int at, int digits) {
    sb.append('(')
        .append(PgFloats.float8(b.getDouble(at), digits))
        .append(',')
        .append(PgFloats.float8(b.getDouble(at + 8), digits))
        .append(')');
  }
}
