package io.slotkeeper.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The typed accessors on forms the fidelity rows of TypedValuesIT do not reach: bytea's escape
 * output, offsets with seconds, BC with a zone, and the errors.
 */
class ColumnValueTypedTest {
  private static ColumnValue t(String s) {
    return ColumnValue.text(s);
  }

  @Test
  void byteaInBothOutputFormats() {
    assertThat(t("\\x00ff10").asBytea()).containsExactly(0x00, 0xff, 0x10);
    // bytea_output = escape: printable bytes as themselves, backslash doubled, others in octal.
    assertThat(t("a\\000\\\\\\377").asBytea()).containsExactly('a', 0, '\\', 0xff);
    assertThat(t("\\x").asBytea()).isEmpty();
  }

  @Test
  void zonesWithMinutesAndSecondsAndBcYears() {
    assertThat(t("13:45:30.5+05:30").asOffsetTime())
        .isEqualTo(OffsetTime.of(13, 45, 30, 500_000_000, ZoneOffset.ofHoursMinutes(5, 30)));
    assertThat(t("1900-01-01 00:00:00+00:19:32").asOffsetDateTime())
        .isEqualTo(
            OffsetDateTime.of(1900, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutesSeconds(0, 19, 32)));
    assertThat(t("0044-03-15 12:00:00-01 BC").asOffsetDateTime())
        .isEqualTo(OffsetDateTime.of(-43, 3, 15, 12, 0, 0, 0, ZoneOffset.ofHours(-1)));
    assertThat(t("4713-01-01 BC").asLocalDate()).isEqualTo(LocalDate.of(-4712, 1, 1));
    assertThat(t("294276-12-31 23:59:59.999999").asLocalDateTime())
        .isEqualTo(LocalDateTime.of(294276, 12, 31, 23, 59, 59, 999_999_000));
    assertThat(t("24:00:00").asLocalTime()).isEqualTo(LocalTime.MAX);
    assertThat(t("-infinity").asOffsetDateTime()).isEqualTo(OffsetDateTime.MIN);
  }

  @Test
  void arraysUnquoteUnescapeAndTellNullFromTheWordNull() {
    assertThat(
            t("{plain,\"with space\",\"quote\\\"d\",\"back\\\\slash\",NULL,\"NULL\",\"\"}")
                .asArray())
        .isEqualTo(
            Arrays.asList("plain", "with space", "quote\"d", "back\\slash", null, "NULL", ""));
    assertThat(t("[0:2]={7,8,9}").asArray()).isEqualTo(Arrays.asList("7", "8", "9"));
    assertThat(t("{{1,2},{3,NULL}}").asArray())
        .isEqualTo(Arrays.asList(Arrays.asList("1", "2"), Arrays.asList("3", null)));
    assertThat(t("{}").asArray()).isEmpty();
  }

  @Test
  void nullIsNullAndWrongTextNamesTheType() {
    assertThat(ColumnValue.NULL.asLong()).isNull();
    assertThat(ColumnValue.NULL.asOffsetDateTime()).isNull();
    assertThatThrownBy(() -> t("yes").asBoolean())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("boolean");
    assertThatThrownBy(() -> t("NaN").asBigDecimal()).isInstanceOf(ArithmeticException.class);
    assertThat(t("NaN").asDouble()).isNaN();
    assertThat(t("-0").asFloat()).isEqualTo(-0.0f);
    assertThat(t("12345678901234567890.5").asBigDecimal())
        .isEqualTo(new BigDecimal("12345678901234567890.5"));
    assertThatThrownBy(ColumnValue.UNCHANGED_TOAST::asLong)
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ColumnValue.binary(new byte[] {0, 0, 0, 1}).asInt())
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void copyToCopiesExactlyTheValueBytesOfAView() {
    byte[] message = "xxhello worldyy".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ColumnValue v =
        ColumnValue.view(ColumnValue.Kind.TEXT, message, 2, 11, 25, ValueFormat.DEFAULT);
    byte[] target = new byte[16];
    Arrays.fill(target, (byte) '.');
    assertThat(v.copyTo(target, 3)).isEqualTo(11);
    assertThat(new String(target, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("...hello world..");
    assertThat(ColumnValue.NULL.copyTo(target, 16)).isZero();
    assertThat(ColumnValue.UNCHANGED_TOAST.copyTo(target, 0)).isZero();
    assertThatThrownBy(() -> v.copyTo(target, 6)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(new String(target, java.nio.charset.StandardCharsets.US_ASCII))
        .as("nothing written when it does not fit")
        .isEqualTo("...hello world..");
  }
}
