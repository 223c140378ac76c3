package io.slotkeeper.pgoutput;

import static io.slotkeeper.pgoutput.PgTypeOids.*;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The binary send formats of the built-in types in {@link PgTypeOids} (the *_send functions of
 * PostgreSQL's {@code utils/adt}), read from a big-endian buffer holding exactly one value: into
 * Java values for {@link ColumnValue}'s typed accessors, and into the text the type's output
 * function prints, so that {@link ColumnValue#text()} is the same in both formats.
 */
final class PgBinary {
  private PgBinary() {}

  static boolean hasCodec(int oid) {
    return isScalarWithCodec(oid) || isArrayWithCodec(oid);
  }

  // ---------------------------------------------------------------- text

  static String text(int oid, ByteBuffer b, ValueFormat f) {
    switch (oid) {
      case BOOL:
        return b.get(0) != 0 ? "t" : "f";
      case INT2:
        return Short.toString(b.getShort(0));
      case INT4:
        return Integer.toString(b.getInt(0));
      case INT8:
        return Long.toString(b.getLong(0));
      case OID:
        return Integer.toUnsignedString(b.getInt(0));
      case NUMERIC:
        return numericText(b);
      case FLOAT4:
        return PgFloats.float4(b.getFloat(0), f.extraFloatDigits());
      case FLOAT8:
        return PgFloats.float8(b.getDouble(0), f.extraFloatDigits());
      case TEXT, VARCHAR, BPCHAR, NAME, JSON:
        return utf8(b, 0);
      case JSONB:
        return utf8(b, jsonbStart(b));
      case BYTEA:
        return byteaText(b, f);
      case UUID:
        return uuid(b).toString();
      case DATE:
        f.requireIsoDates();
        return PgDateTimes.dateText(b.getInt(0));
      case TIME:
        return PgDateTimes.timeText(b.getLong(0));
      case TIMETZ:
        return PgDateTimes.timetzText(b.getLong(0), b.getInt(8));
      case TIMESTAMP:
        f.requireIsoDates();
        return PgDateTimes.timestampText(b.getLong(0));
      case TIMESTAMPTZ:
        return PgDateTimes.timestamptzText(b.getLong(0), f);
      case INTERVAL:
        f.requirePostgresIntervals();
        return PgDateTimes.intervalText(interval(b));
      case INET, CIDR:
        return inetText(b, oid == CIDR);
      default:
        if (isArrayWithCodec(oid)) {
          return PgBinaryArrays.text(b, f);
        }
        throw noCodec(oid);
    }
  }

  /** The size of a fixed-size type's send format, or -1 for variable-size ones. */
  private static int fixedSize(int oid) {
    switch (oid) {
      case BOOL:
        return 1;
      case INT2:
        return 2;
      case INT4, OID, FLOAT4, DATE:
        return 4;
      case INT8, FLOAT8, TIME, TIMESTAMP, TIMESTAMPTZ:
        return 8;
      case TIMETZ:
        return 12;
      case INTERVAL, UUID:
        return 16;
      default:
        return -1;
    }
  }

  /**
   * Refuses a value whose size cannot be its type's send format, before any reader indexes into it
   * (a wrong size would otherwise read neighbouring garbage or throw an index error).
   */
  static void checkSize(int oid, ByteBuffer b) {
    int size = fixedSize(oid);
    if (size >= 0 ? b.remaining() != size : b.remaining() < minimumSize(oid)) {
      throw new IllegalStateException(
          "binary value of type oid "
              + Integer.toUnsignedString(oid)
              + " has "
              + b.remaining()
              + " bytes, which is not that type's send format");
    }
  }

  private static int minimumSize(int oid) {
    switch (oid) {
      case NUMERIC:
        return 8;
      case JSONB:
        return 1;
      case INET, CIDR:
        return 4;
      default:
        return isArrayWithCodec(oid) ? 12 : 0;
    }
  }

  static IllegalStateException noCodec(int oid) {
    return new IllegalStateException(
        "the value of type oid "
            + Integer.toUnsignedString(oid)
            + " is in binary format and Slotkeeper has no binary codec for that type; read its"
            + " bytes() (the type's send format), or stream with binary = off");
  }

  // ---------------------------------------------------------------- values

  static long integer(int oid, ByteBuffer b) {
    switch (oid) {
      case INT2:
        return b.getShort(0);
      case INT4:
        return b.getInt(0);
      case INT8:
        return b.getLong(0);
      case OID:
        return Integer.toUnsignedLong(b.getInt(0));
      default:
        throw notA(oid, "an integer (int2, int4, int8, oid)");
    }
  }

  static BigDecimal bigDecimal(int oid, ByteBuffer b) {
    if (oid == NUMERIC) {
      int sign = b.getShort(4) & 0xFFFF;
      if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
        throw new ArithmeticException(
            "numeric value "
                + numericText(b)
                + " has no BigDecimal; read it with text() or asDouble()");
      }
      return numeric(b);
    }
    return BigDecimal.valueOf(integer(oid, b));
  }

  static double float8(int oid, ByteBuffer b) {
    switch (oid) {
      case FLOAT8:
        return b.getDouble(0);
      case FLOAT4:
        // As asDouble() of the text format reads it: the float's shortest decimal, parsed as a
        // double (3.4028235e+38, not the float's exact binary value 3.4028234663852886e+38).
        return Double.parseDouble(PgFloats.float4(b.getFloat(0), 1));
      case NUMERIC:
        int sign = b.getShort(4) & 0xFFFF;
        if (sign == 0xC000) {
          return Double.NaN;
        } else if (sign == 0xD000) {
          return Double.POSITIVE_INFINITY;
        } else if (sign == 0xF000) {
          return Double.NEGATIVE_INFINITY;
        }
        return numeric(b).doubleValue();
      default:
        return integer(oid, b);
    }
  }

  static float float4(int oid, ByteBuffer b) {
    if (oid != FLOAT4) {
      throw notA(oid, "real (float4)");
    }
    return b.getFloat(0);
  }

  static boolean bool(int oid, ByteBuffer b) {
    if (oid != BOOL) {
      throw notA(oid, "boolean");
    }
    return b.get(0) != 0;
  }

  static byte[] bytea(int oid, ByteBuffer b) {
    if (oid != BYTEA) {
      throw notA(oid, "bytea");
    }
    byte[] out = new byte[b.remaining()];
    b.get(0, out);
    return out;
  }

  static UUID uuid(ByteBuffer b) {
    return new UUID(b.getLong(0), b.getLong(8));
  }

  static PgInterval interval(ByteBuffer b) {
    // interval_send: time (int64 microseconds), day (int32), month (int32).
    return new PgInterval(b.getInt(12), b.getInt(8), b.getLong(0));
  }

  static PgInet inet(ByteBuffer b) {
    int bits = b.get(1) & 0xFF;
    int n = b.get(3) & 0xFF;
    byte[] address = new byte[n];
    b.get(4, address);
    try {
      return new PgInet(InetAddress.getByAddress(address), bits);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("inet value with a " + n + "-byte address", e);
    }
  }

  static IllegalArgumentException notA(int oid, String what) {
    return new IllegalArgumentException(
        "the binary value of type oid " + Integer.toUnsignedString(oid) + " is not " + what);
  }

  // ---------------------------------------------------------------- numeric

  /**
   * numeric_send: int16 ndigits, int16 weight (of the first digit, in base 10000), uint16 sign
   * (0x0000 positive, 0x4000 negative, 0xC000 NaN, 0xD000 +Infinity, 0xF000 -Infinity), int16
   * dscale (digits after the decimal point to print), then the base-10000 digits.
   */
  private static BigDecimal numeric(ByteBuffer b) {
    int ndigits = b.getShort(0);
    int weight = b.getShort(2);
    int sign = b.getShort(4) & 0xFFFF;
    int dscale = b.getShort(6);
    if (ndigits == 0) {
      return BigDecimal.ZERO.setScale(dscale);
    }
    StringBuilder digits = new StringBuilder(ndigits * 4);
    for (int i = 0; i < ndigits; i++) {
      String d = Integer.toString(b.getShort(8 + 2 * i));
      for (int k = d.length(); k < 4; k++) {
        digits.append('0');
      }
      digits.append(d);
    }
    BigDecimal v = new BigDecimal(new BigInteger(digits.toString()), (ndigits - 1 - weight) * 4);
    // get_str_from_var prints exactly dscale digits after the point (truncating, never rounding).
    v = v.setScale(dscale, RoundingMode.DOWN);
    return sign == 0x4000 ? v.negate() : v;
  }

  private static String numericText(ByteBuffer b) {
    int sign = b.getShort(4) & 0xFFFF;
    switch (sign) {
      case 0xC000:
        return "NaN";
      case 0xD000:
        return "Infinity";
      case 0xF000:
        return "-Infinity";
      default:
        return numeric(b).toPlainString();
    }
  }

  // ---------------------------------------------------------------- text-like

  private static String utf8(ByteBuffer b, int from) {
    byte[] bytes = new byte[b.remaining() - from];
    b.get(from, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** jsonb_send writes a format version (1) before the text. */
  private static int jsonbStart(ByteBuffer b) {
    int version = b.get(0);
    if (version != 1) {
      throw new IllegalArgumentException(
          "jsonb binary format version " + version + " (expected 1)");
    }
    return 1;
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** byteaout: hex ({@code \x0aff}) or escape, as the session's bytea_output says. */
  private static String byteaText(ByteBuffer b, ValueFormat f) {
    int n = b.remaining();
    StringBuilder sb = new StringBuilder(2 + 2 * n);
    if (f.byteaOutput().equals("escape")) {
      for (int i = 0; i < n; i++) {
        int c = b.get(i) & 0xFF;
        if (c == '\\') {
          sb.append("\\\\");
        } else if (c < 0x20 || c > 0x7e) {
          sb.append('\\').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7)));
          sb.append((char) ('0' + (c & 7)));
        } else {
          sb.append((char) c);
        }
      }
      return sb.toString();
    }
    sb.append("\\x");
    for (int i = 0; i < n; i++) {
      int c = b.get(i) & 0xFF;
      sb.append(HEX[c >> 4]).append(HEX[c & 15]);
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- inet

  /**
   * network_out: inet_send is family (2 IPv4, 3 IPv6), bits, is_cidr, address length, address. The
   * mask length is printed unless it is the full width; cidr always prints it.
   */
  private static String inetText(ByteBuffer b, boolean cidr) {
    int family = b.get(0);
    int bits = b.get(1) & 0xFF;
    StringBuilder sb = new StringBuilder(48);
    int full;
    if (family == 2) {
      full = 32;
      for (int i = 0; i < 4; i++) {
        if (i > 0) {
          sb.append('.');
        }
        sb.append(b.get(4 + i) & 0xFF);
      }
    } else {
      full = 128;
      ipv6(sb, b);
    }
    if (bits != full || cidr) {
      sb.append('/').append(bits);
    }
    return sb.toString();
  }

  /** inet_net_ntop_ipv6: the longest run (at least 2) of zero words as "::", embedded IPv4. */
  private static void ipv6(StringBuilder sb, ByteBuffer b) {
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      words[i] = b.getShort(4 + 2 * i) & 0xFFFF;
    }
    int bestBase = -1;
    int bestLen = 0;
    int curBase = -1;
    int curLen = 0;
    for (int i = 0; i < 8; i++) {
      if (words[i] == 0) {
        if (curBase == -1) {
          curBase = i;
          curLen = 1;
        } else {
          curLen++;
        }
      } else if (curBase != -1) {
        if (bestBase == -1 || curLen > bestLen) {
          bestBase = curBase;
          bestLen = curLen;
        }
        curBase = -1;
      }
    }
    if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) {
      bestBase = curBase;
      bestLen = curLen;
    }
    if (bestBase != -1 && bestLen < 2) {
      bestBase = -1;
    }
    for (int i = 0; i < 8; i++) {
      if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen) {
        if (i == bestBase) {
          sb.append(':');
        }
        continue;
      }
      if (i != 0) {
        sb.append(':');
      }
      if (i == 6
          && bestBase == 0
          && (bestLen == 6
              || (bestLen == 7 && words[7] != 0x0001)
              || (bestLen == 5 && words[5] == 0xffff))) {
        for (int k = 0; k < 4; k++) {
          if (k > 0) {
            sb.append('.');
          }
          sb.append(b.get(4 + 12 + k) & 0xFF);
        }
        return;
      }
      sb.append(Integer.toHexString(words[i]));
    }
    if (bestBase != -1 && bestBase + bestLen == 8) {
      sb.append(':');
    }
  }
}
