package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LineBytes#jsonString}, the one JSON string writer (the change lines and, through {@link
 * Json#write}, the status JSON), copies runs that need no escape in bulk (issue 16); its output
 * must stay byte-for-byte what the one-character-at-a-time writer produced, which people pipe into
 * other tools. The reference below is that writer, kept here as the specification (also {@link
 * LineBytesTest}'s), encoded as the program encodes its output: UTF-8, a lone surrogate as '?'.
 */
class JsonStringTest {

  @Test
  void escapesExactlyAsTheCharacterAtATimeWriter() {
    String[] cases = {
      "",
      "plain",
      "\"",
      "\\",
      "a\"b\\c",
      "line\nbreak\r\n\ttab\b\f",
      "\u0000\u0001\u001f\u007f",
      "ends with quote\"",
      "\"starts with quote",
      "é ü 漢字 😀",
      "sep\u2028and\u2029",
      "\u2028",
    };
    for (String c : cases) {
      assertThat(written(c)).as("%s", c).isEqualTo(reference(c));
    }
  }

  @Test
  void randomStringsOfCharactersThatMatter() {
    char[] alphabet = {
      'a', 'Z', '0', ' ', '"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u0020',
      '\u007f', 'é', '漢', '\u2027', '\u2028', '\u2029', '\ud83d', '\ude00'
    };
    Random random = new Random(16);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder s = new StringBuilder();
      int length = random.nextInt(12);
      for (int i = 0; i < length; i++) {
        s.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String value = s.toString();
      assertThat(written(value)).as("%s", value).isEqualTo(reference(value));
      // A StringBuilder argument takes the same path as a String.
      assertThat(written(s)).isEqualTo(reference(value));
    }
  }

  private static byte[] written(CharSequence s) {
    return new LineBytes(4).jsonString(s).toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] reference(String s) {
    return referenceLiteral(s).getBytes(StandardCharsets.UTF_8);
  }

  /** The writer before issue 16: one character at a time. */
  static String referenceLiteral(String s) {
    StringBuilder sb = new StringBuilder();
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
    return sb.toString();
  }
}
