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
    return hasCodec(oid, ValueFormat.DEFAULT);
  }

  // Built-in types read here beyond PgTypeOids' (pg_type.dat; the same oids in every version).
  static final int MONEY = 790;
  static final int BIT = 1560;
  static final int VARBIT = 1562;

  /**
   * Whether a binary value of type {@code oid} can be read with {@code f}: the built-in types,
   * money when lc_monetary is C, the built-in ranges and multiranges, and the enums, domains,
   * ranges and multiranges the catalog facts in {@code f} describe, when what they are made of can
   * be read.
   */
  static boolean hasCodec(int oid, ValueFormat f) {
    if (isScalarWithCodec(oid)
        || isArrayWithCodec(oid)
        || oid == BIT
        || oid == VARBIT
        || PgGeometry.isGeometric(oid)) {
      return true;
    }
    if (oid == MONEY) {
      return f.moneyIsC();
    }
    int base = builtInRangeBase(oid);
    if (base != 0) {
      return true;
    }
    PgUserType t = f.userTypes().get(oid);
    if (t == null) {
      return false;
    }
    return t.kind() == PgUserType.Kind.ENUM || (t.baseOid() != oid && hasCodec(t.baseOid(), f));
  }

  /** A domain's base type (through domains over domains); any other type itself. */
  static int resolveDomain(int oid, ValueFormat f) {
    for (int i = 0; i < 100; i++) {
      PgUserType t = f.userTypes().get(oid);
      if (t == null || t.kind() != PgUserType.Kind.DOMAIN) {
        return oid;
      }
      oid = t.baseOid();
    }
    return oid;
  }

  /** The subtype of a built-in range, the range type of a built-in multirange, or 0. */
  private static int builtInRangeBase(int oid) {
    return switch (oid) {
      case 3904 -> INT4; // int4range
      case 3906 -> NUMERIC; // numrange
      case 3908 -> TIMESTAMP; // tsrange
      case 3910 -> TIMESTAMPTZ; // tstzrange
      case 3912 -> DATE; // daterange
      case 3926 -> INT8; // int8range
      case 4451 -> 3904; // int4multirange
      case 4532 -> 3906; // nummultirange
      case 4533 -> 3908; // tsmultirange
      case 4534 -> 3910; // tstzmultirange
      case 4535 -> 3912; // datemultirange
      case 4536 -> 3926; // int8multirange
      default -> 0;
    };
  }

  private static boolean isBuiltInMultirange(int oid) {
    return oid >= 4451 && builtInRangeBase(oid) > 3000;
  }

  /** The text of the types beyond PgTypeOids', or null when {@code oid} is none of them. */
  private static String otherText(int oid, ByteBuffer b, ValueFormat f) {
    if (oid == BIT || oid == VARBIT) {
      return bitText(b);
    }
    if (oid == MONEY) {
      if (!f.moneyIsC()) {
        throw noCodec(oid);
      }
      return moneyText(b.getLong(0));
    }
    if (PgGeometry.isGeometric(oid)) {
      return PgGeometry.text(oid, b, f);
    }
    int base = builtInRangeBase(oid);
    if (base != 0) {
      return isBuiltInMultirange(oid)
          ? PgRanges.multirangeText(base, b, f)
          : PgRanges.rangeText(base, b, f);
    }
    PgUserType t = f.userTypes().get(oid);
    if (t == null) {
      return null;
    }
    return switch (t.kind()) {
      case ENUM -> utf8(b, 0); // enum_send: the label
      case DOMAIN -> {
        int resolved = resolveDomain(oid, f);
        checkSize(resolved, b, f);
        yield text(resolved, b, f);
      }
      case RANGE -> PgRanges.rangeText(t.baseOid(), b, f);
      case MULTIRANGE -> PgRanges.multirangeText(t.baseOid(), b, f);
    };
  }

  /** bit_send: the length in bits, then the bits, first bit in the high bit of the first byte. */
  private static String bitText(ByteBuffer b) {
    int bits = b.getInt(0);
    if (bits < 0 || (bits + 7) / 8 != b.remaining() - 4) {
      throw new IllegalStateException(
          "bit string of " + bits + " bits in " + (b.remaining() - 4) + " bytes");
    }
    char[] out = new char[bits];
    for (int i = 0; i < bits; i++) {
      out[i] = (b.get(4 + i / 8) & (0x80 >>> (i % 8))) != 0 ? '1' : '0';
    }
    return new String(out);
  }

  /**
   * cash_out under lc_monetary C: sign, "$", the amount in cents with "," every three integer
   * digits and "." before the last two.
   */
  private static String moneyText(long cents) {
    boolean negative = cents < 0;
    String digits = Long.toUnsignedString(negative ? -cents : cents);
    if (digits.length() < 3) {
      digits = "000".substring(digits.length()) + digits;
    }
    String integer = digits.substring(0, digits.length() - 2);
    StringBuilder sb = new StringBuilder(negative ? "-$" : "$");
    for (int i = 0; i < integer.length(); i++) {
      if (i > 0 && (integer.length() - i) % 3 == 0) {
        sb.append(',');
      }
      sb.append(integer.charAt(i));
    }
    return sb.append('.').append(digits, digits.length() - 2, digits.length()).toString();
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
        String other = otherText(oid, b, f);
        if (other != null) {
          return other;
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
      case MONEY:
        return 8;
      default:
        return PgGeometry.fixedSize(oid);
    }
  }

  /**
   * Refuses a value whose size cannot be its type's send format, before any reader indexes into it
   * (a wrong size would otherwise read neighbouring garbage or throw an index error).
   */
  static void checkSize(int oid, ByteBuffer b) {
    checkSize(oid, b, ValueFormat.DEFAULT);
  }

  /** As {@link #checkSize(int, ByteBuffer)}, a domain checked as its base type. */
  static void checkSize(int oid, ByteBuffer b, ValueFormat f) {
    oid = resolveDomain(oid, f);
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
      case INET, CIDR, BIT, VARBIT, PgGeometry.POLYGON:
        return 4;
      case PgGeometry.PATH:
        return 5;
      default:
        return isArrayWithCodec(oid) ? 12 : builtInRangeBase(oid) != 0 ? 1 : 0;
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
