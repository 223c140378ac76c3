package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.ValueFormat;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LineBytes} writes lines as bytes (issue 16); what a pipe receives must stay byte for byte
 * what the program wrote before: each string escaped one character at a time ({@link
 * JsonStringTest#referenceLiteral}, the specification), a value through its {@link
 * ColumnValue#text()}, the whole encoded with {@code getBytes(UTF_8)}. That old path is the
 * reference here, over random input, malformed UTF-8 and lone surrogates included.
 */
class LineBytesTest {

  @Test
  void stringsAreWrittenAsTheStringBuilderPathWroteThem() {
    char[] alphabet = {
      'a', 'Z', '0', ' ', '"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f',
      '\u0080', 'é', '\u07ff', '\u0800', '漢', '\u2027', '\u2028', '\u2029', '\uffff', '\ud83d',
      '\ude00', '\udbff', '\udfff'
    };
    Random random = new Random(1616);
    for (int n = 0; n < 50_000; n++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(14);
      for (int i = 0; i < length; i++) {
        s.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String value = s.toString();
      LineBytes out = new LineBytes(4);
      out.jsonString(value);
      assertThat(bytes(out)).as("%s", escapeForMessage(value)).isEqualTo(reference(value));
    }
  }

  @Test
  void textValuesAreWrittenAsTheirStringWas() {
    // Bytes that make valid and invalid UTF-8 alike: ASCII, escapes, lead and continuation bytes,
    // the bytes of U+2028/U+2029 (E2 80 A8/A9), overlong and surrogate leads (C0, E0, ED, F4, F5).
    byte[] alphabet = {
      'a',
      ' ',
      '"',
      '\\',
      '\n',
      0x01,
      0x7f,
      (byte) 0xc0,
      (byte) 0xc3,
      (byte) 0xa9,
      (byte) 0xe0,
      (byte) 0xe2,
      (byte) 0x80,
      (byte) 0xa8,
      (byte) 0xa9,
      (byte) 0xbf,
      (byte) 0xed,
      (byte) 0x9f,
      (byte) 0xa0,
      (byte) 0xf0,
      (byte) 0x90,
      (byte) 0xf4,
      (byte) 0x8f,
      (byte) 0xf5,
      (byte) 0xff
    };
    Random random = new Random(2028);
    int valid = 0;
    for (int n = 0; n < 100_000; n++) {
      byte[] value = new byte[random.nextInt(10)];
      for (int i = 0; i < value.length; i++) {
        value[i] = alphabet[random.nextInt(alphabet.length)];
      }
      ColumnValue v = ColumnValue.text(value);
      LineBytes out = new LineBytes(4);
      out.append("{\"k\":").jsonText(v).append('}');
      byte[] expected =
          ("{\"k\":" + new String(reference(v.text()), StandardCharsets.UTF_8) + "}")
              .getBytes(StandardCharsets.UTF_8);
      assertThat(bytes(out))
          .as("%s", java.util.HexFormat.of().formatHex(value))
          .isEqualTo(expected);
      valid += LineBytes.validUtf8(value, 0, value.length) ? 1 : 0;
    }
    // Both paths of jsonText were taken many times.
    assertThat(valid).isBetween(10_000, 90_000);
  }

  @Test
  void wellFormedUtf8IsExactlyWhatJavaDecodesWithoutReplacing() {
    Random random = new Random(3);
    for (int n = 0; n < 200_000; n++) {
      byte[] b = new byte[1 + random.nextInt(4)];
      random.nextBytes(b);
      String decoded = new String(b, StandardCharsets.UTF_8);
      boolean roundTrips =
          java.util.Arrays.equals(decoded.getBytes(StandardCharsets.UTF_8), b)
              && decoded.indexOf('\ufffd') < 0;
      assertThat(LineBytes.validUtf8(b, 0, b.length))
          .as("%s", java.util.HexFormat.of().formatHex(b))
          .isEqualTo(roundTrips);
    }
  }

  @Test
  void binaryValuesAndNonAsciiTextGoThroughTheirText() {
    ColumnValue binary =
        ColumnValue.binary(new byte[] {0, 0, 0, 42}, 23, ValueFormat.DEFAULT); // int4
    LineBytes out = new LineBytes(4);
    out.jsonText(binary).append(',').jsonText(ColumnValue.text("naïve \"quoted\" 漢字 😀"));
    assertThat(out.toString()).isEqualTo("\"42\",\"naïve \\\"quoted\\\" 漢字 😀\"");
  }

  @Test
  void numbersInsertsAndGrowth() {
    LineBytes out = new LineBytes(1);
    for (long v : new long[] {0, 7, -7, 10, 99, 100, Long.MAX_VALUE, Long.MIN_VALUE, -1}) {
      out.append(v).append(' ');
    }
    assertThat(out.toString())
        .isEqualTo("0 7 -7 10 99 100 9223372036854775807 -9223372036854775808 -1 ");
    LineBytes head = new LineBytes(1).append("AB");
    out.insert(0, head);
    out.insert(out.length(), new LineBytes(1).append("Z"));
    assertThat(out.toString()).startsWith("AB0 7").endsWith("-1 Z");
    StringBuilder big = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      big.append("é\"").append(i);
    }
    LineBytes grown = new LineBytes(1);
    grown.jsonString(big);
    assertThat(bytes(grown)).isEqualTo(reference(big.toString()));
  }

  /** The bytes as written to a target. */
  private static byte[] bytes(LineBytes out) {
    java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
    try {
      out.writeTo(OutputTarget.stdout(new java.io.PrintStream(sink)));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return sink.toByteArray();
  }

  /** The path before issue 16's byte lines: the string literal as text, then UTF-8. */
  private static byte[] reference(String value) {
    return JsonStringTest.referenceLiteral(value).getBytes(StandardCharsets.UTF_8);
  }

  private static String escapeForMessage(String s) {
    StringBuilder sb = new StringBuilder();
    s.chars().forEach(c -> sb.append(String.format("\\u%04x", c)));
    return sb.toString();
  }
}
