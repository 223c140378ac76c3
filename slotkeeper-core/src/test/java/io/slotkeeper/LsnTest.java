package io.slotkeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class LsnTest {

  @ParameterizedTest
  @ValueSource(
      strings = {"0/0", "0/16B3748", "16/B374D848", "FFFFFFFF/FFFFFFFF", "1/0", "80000000/1"})
  void parseAndFormatRoundTrip(String text) {
    assertThat(Lsn.parse(text).toString()).isEqualTo(text);
  }

  @Test
  void parseValues() {
    assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.INVALID);
    assertThat(Lsn.parse("16/B374D848").value()).isEqualTo(0x16_B374_D848L);
    assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").value()).isEqualTo(-1L);
    assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF")).isEqualTo(Lsn.MAX);
    // Lower case and zero padding are accepted on input; output is canonical.
    assertThat(Lsn.parse("00000016/b374d848").toString()).isEqualTo("16/B374D848");
  }

  @Test
  void formatIsUpperCaseWithoutPadding() {
    assertThat(Lsn.of(0x16B3748L).toString()).isEqualTo("0/16B3748");
    assertThat(Lsn.of(0x1_0000_0000L).toString()).isEqualTo("1/0");
    assertThat(Lsn.of(0xABCDEF01_00000ABCL).toString()).isEqualTo("ABCDEF01/ABC");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "xyz",
        "/",
        "0/",
        "/0",
        "0/0/0",
        "0",
        "123456789/0",
        "0/123456789",
        "G/0",
        " 0/0",
        "0/0 ",
        "-1/0",
        "+1/0",
        "0x1/0",
        "１/0",
        "0/\u0661"
      })
  void malformedStringsAreRejectedWithAClearMessage(String text) {
    assertThatThrownBy(() -> Lsn.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "malformed LSN '"
                + text
                + "': expected two hex numbers separated by '/', like 16/B374D848");
  }

  @ParameterizedTest
  @NullSource
  void nullIsRejected(String text) {
    assertThatThrownBy(() -> Lsn.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void comparisonIsUnsigned() {
    Lsn high = Lsn.parse("80000000/0"); // negative as a signed long
    Lsn low = Lsn.parse("0/1");
    assertThat(high).isGreaterThan(low);
    assertThat(high.isAfter(low)).isTrue();
    assertThat(low.isBefore(high)).isTrue();
    assertThat(Lsn.MAX.isAfter(high)).isTrue();
    assertThat(Lsn.INVALID.isBefore(low)).isTrue();
    assertThat(low.isAfter(low)).isFalse();
    assertThat(low.isBefore(low)).isFalse();
    assertThat(Lsn.max(high, low)).isSameAs(high);
    assertThat(Lsn.min(high, low)).isSameAs(low);

    List<Lsn> list = new ArrayList<>(List.of(Lsn.MAX, low, high, Lsn.INVALID));
    Collections.sort(list);
    assertThat(list).containsExactly(Lsn.INVALID, low, high, Lsn.MAX);
  }

  @Test
  void validity() {
    assertThat(Lsn.INVALID.isValid()).isFalse();
    assertThat(Lsn.of(0)).isSameAs(Lsn.INVALID);
    assertThat(Lsn.of(1).isValid()).isTrue();
    assertThat(Lsn.MAX.isValid()).isTrue();
  }

  @Test
  void arithmetic() {
    Lsn a = Lsn.parse("0/FFFFFFF0");
    assertThat(a.plus(0x20)).isEqualTo(Lsn.parse("1/10"));
    assertThat(a.plus(0x20).minus(a)).isEqualTo(0x20);
    assertThat(a.minus(a.plus(0x20))).isEqualTo(-0x20);
    assertThat(a.plus(-0x10)).isEqualTo(Lsn.parse("0/FFFFFFE0"));
    assertThat(Lsn.parse("80000000/0").minus(Lsn.parse("7FFFFFFF/FFFFFFFF"))).isEqualTo(1);
    assertThat(Lsn.MAX.plus(-1)).isEqualTo(Lsn.parse("FFFFFFFF/FFFFFFFE"));
  }

  @Test
  void arithmeticOutsideTheRangeFails() {
    assertThatThrownBy(() -> Lsn.MAX.plus(1)).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> Lsn.INVALID.plus(-1)).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> Lsn.MAX.minus(Lsn.INVALID)).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> Lsn.INVALID.minus(Lsn.MAX)).isInstanceOf(ArithmeticException.class);
    // Largest distance that still fits.
    assertThat(Lsn.of(Long.MAX_VALUE).minus(Lsn.INVALID)).isEqualTo(Long.MAX_VALUE);
  }
}
