package io.slotkeeper.pgoutput;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * float4out and float8out. With {@code extra_float_digits > 0} (pgjdbc sets 3) PostgreSQL 12+
 * prints the shortest decimal that reads back as the same value (Ryu, {@code src/common/d2s.c},
 * {@code f2s.c}): fixed notation for decimal exponents -4 to 14 (float4: -4 to 5), otherwise {@code
 * d.ddde+XX} with at least two exponent digits. With {@code extra_float_digits <= 0} it is {@code
 * printf("%.*g", DBL_DIG + extra_float_digits)} (FLT_DIG for float4). Java's {@code
 * Double.toString} is neither (and before Java 19 not always shortest), hence this class.
 */
final class PgFloats {
  private PgFloats() {}

  static String float8(double d, int extraFloatDigits) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    if (extraFloatDigits > 0) {
      return shortest(d, false);
    }
    return printfG(d, Math.max(1, 15 + extraFloatDigits));
  }

  static String float4(float f, int extraFloatDigits) {
    if (Float.isNaN(f)) {
      return "NaN";
    }
    if (Float.isInfinite(f)) {
      return f > 0 ? "Infinity" : "-Infinity";
    }
    if (extraFloatDigits > 0) {
      return shortest(f, true);
    }
    return printfG(f, Math.max(1, 6 + extraFloatDigits));
  }

  /** The fewest significant digits that read back as {@code value} (as float when asFloat). */
  private static String shortest(double value, boolean asFloat) {
    if (value == 0) {
      return 1 / value < 0 ? "-0" : "0";
    }
    BigDecimal exact = new BigDecimal(Math.abs(value));
    BigDecimal r = exact;
    for (int p = 1; p <= 17; p++) {
      r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      boolean same =
          asFloat ? r.floatValue() == (float) Math.abs(value) : r.doubleValue() == Math.abs(value);
      if (same) {
        break;
      }
    }
    r = r.stripTrailingZeros();
    int exp = r.precision() - r.scale() - 1;
    String sign = value < 0 ? "-" : "";
    if (exp >= -4 && exp < (asFloat ? 6 : 15)) {
      return sign + r.toPlainString();
    }
    return sign + scientific(r.unscaledValue().toString(), exp);
  }

  /** C's {@code %.Pg}: P significant digits, trailing zeros removed. */
  private static String printfG(double value, int precision) {
    if (value == 0) {
      return 1 / value < 0 ? "-0" : "0";
    }
    BigDecimal r =
        new BigDecimal(Math.abs(value)).round(new MathContext(precision, RoundingMode.HALF_EVEN));
    int exp = r.precision() - r.scale() - 1;
    String sign = value < 0 ? "-" : "";
    BigDecimal stripped = r.stripTrailingZeros();
    if (exp < -4 || exp >= precision) {
      return sign + scientific(stripped.unscaledValue().toString(), exp);
    }
    return sign + stripped.toPlainString();
  }

  private static String scientific(String digits, int exp) {
    StringBuilder sb = new StringBuilder(digits.length() + 6);
    sb.append(digits.charAt(0));
    if (digits.length() > 1) {
      sb.append('.').append(digits, 1, digits.length());
    }
    sb.append('e').append(exp < 0 ? '-' : '+');
    int a = Math.abs(exp);
    if (a < 10) {
      sb.append('0');
    }
    return sb.append(a).toString();
  }
}
