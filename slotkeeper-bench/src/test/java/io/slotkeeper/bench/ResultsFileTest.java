package io.slotkeeper.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResultsFileTest {
  private static final String GENERATED =
      "# Results\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- a note\n";

  @Test
  void aNewFileIsTheTable() {
    assertThat(ResultsFile.merge(null, GENERATED)).isEqualTo(GENERATED);
  }

  @Test
  void theOldTableIsReplacedAndTheSectionsUnderItKept() {
    String existing =
        "# Results\n\n| a | b |\n|---|---|\n| 0 | 0 |\n\n- an old note\n\n"
            + "## What a session measured\n\nText.\n\n## Another\n\nMore | with a | pipe.\n";
    assertThat(ResultsFile.merge(existing, GENERATED))
        .isEqualTo(
            GENERATED
                + "\n## What a session measured\n\nText.\n\n## Another\n\nMore | with a | pipe.\n");
  }

  @Test
  void aFileWithoutSectionsIsReplaced() {
    assertThat(ResultsFile.merge("# Results\n\n| old |\n", GENERATED)).isEqualTo(GENERATED);
  }

  @Test
  void aLevelThreeHeadingInTheTablePartIsNotASection() {
    assertThat(ResultsFile.merge("# Results\n\n### not this\n\n| old |\n", GENERATED))
        .isEqualTo(GENERATED);
  }
}
