package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassSharingMarkTest {

  @Test
  void marksTheFileTheLauncherNamed(@TempDir Path dir) {
    Path mark = dir.resolve(".slotkeeper-cds-k.123.streamed");

    ClassSharingMark.mark(mark.toString());

    assertThat(mark).exists().isEmptyFile();
  }

  @Test
  void withoutALauncherOrAWritablePlaceItDoesNothingAndNeverFails(@TempDir Path dir) {
    ClassSharingMark.mark(null);
    ClassSharingMark.mark("");
    ClassSharingMark.mark(dir.resolve("missing").resolve("mark").toString());
    ClassSharingMark.mark("bad\0path");

    assertThat(dir).isEmptyDirectory();
  }
}
