package io.slotkeeper.internal.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.pgoutput.ColumnValue;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The COPY text format's rules (PostgreSQL's copyfromparse.c {@code CopyReadAttributesText}, the
 * inverse of copyto.c {@code CopyAttributeOutText}): fields split at unescaped tabs, a field that
 * is exactly {@code \N} is NULL, and backslash escapes decode to the bytes they stand for.
 */
class CopyTextRowTest {

  private static ColumnValue[] parse(String row, int columns) {
    return CopyTextRow.parse(row.getBytes(StandardCharsets.UTF_8), columns);
  }

  private static String text(ColumnValue v) {
    return v.text();
  }

  @Test
  void splitsAtTabsAndDropsTheRowsNewline() {
    ColumnValue[] v = parse("1\tabc\t\n", 3);
    assertThat(v).hasSize(3);
    assertThat(text(v[0])).isEqualTo("1");
    assertThat(text(v[1])).isEqualTo("abc");
    assertThat(text(v[2])).isEqualTo("");
    assertThat(v[2].isNull()).isFalse();
  }

  @Test
  void backslashNAloneIsNullButEscapedItIsText() {
    ColumnValue[] v = parse("\\N\t\\\\N\tx\\N\n", 3);
    assertThat(v[0]).isSameAs(ColumnValue.NULL);
    assertThat(text(v[1])).isEqualTo("\\N");
    // Not the whole field: the escape \N stands for the letter N.
    assertThat(text(v[2])).isEqualTo("xN");
  }

  @Test
  void everyOneLetterEscapeTheServerWrites() {
    ColumnValue[] v = parse("a\\tb\\nc\\rd\\\\e\\bf\\fg\\vh\n", 1);
    assertThat(text(v[0])).isEqualTo("a\tb\nc\rd\\e\bf\fg\u000bh");
  }

  @Test
  void octalAndHexEscapesAreBytes() {
    // \NNN: one to three octal digits; \xHH: one or two hex digits; both give a byte, and the
    // bytes are UTF-8 (here é = C3 A9).
    ColumnValue[] v = parse("\\101\\1022\\7z\t\\x41\\x4g\\xc3\\xA9\t\\x\n", 3);
    assertThat(text(v[0])).isEqualTo("AB2\u0007z");
    assertThat(text(v[1])).isEqualTo("A\u0004gé");
    // \x without a hex digit is the letter x.
    assertThat(text(v[2])).isEqualTo("x");
  }

  @Test
  void anyOtherEscapedCharacterIsItself() {
    ColumnValue[] v = parse("\\a\\.\\é\n", 1);
    assertThat(text(v[0])).isEqualTo("a.é");
  }

  @Test
  void utf8AndControlCharactersThatAreNotEscapedPassThrough() {
    ColumnValue[] v = parse("naïve ✓\u0001\u001f\n", 1);
    assertThat(text(v[0])).isEqualTo("naïve ✓\u0001\u001f");
  }

  @Test
  void byteaHexOutputComesOutAsTheServerPrintsIt() {
    // SELECT '\x00ff'::bytea::text is \x00ff; COPY writes its backslash doubled.
    ColumnValue[] v = parse("\\\\x00ff\n", 1);
    assertThat(text(v[0])).isEqualTo("\\x00ff");
  }

  @Test
  void aRowWithoutItsNewlineIsReadToo() {
    ColumnValue[] v = parse("1\t2", 2);
    assertThat(text(v[1])).isEqualTo("2");
  }

  @Test
  void valuesAreTextValuesEqualToTheServersText() {
    ColumnValue[] v = parse("a\\tb\n", 1);
    assertThat(v[0]).isEqualTo(ColumnValue.text("a\tb"));
    assertThat(v[0].kind()).isEqualTo(ColumnValue.Kind.TEXT);
  }

  @Test
  void aWrongNumberOfFieldsIsAnError() {
    assertThatThrownBy(() -> parse("1\t2\t3\n", 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("3 fields")
        .hasMessageContaining("2 columns");
    assertThatThrownBy(() -> parse("1\n", 2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 field");
  }

  @Test
  void aBackslashAtTheEndIsAnError() {
    assertThatThrownBy(() -> parse("ab\\", 1)).isInstanceOf(IllegalStateException.class);
  }
}
