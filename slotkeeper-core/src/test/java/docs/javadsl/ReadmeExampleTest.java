package docs.javadsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's "Embedded use" code block is exactly the marked lines of {@link EmbeddedUse}, which
 * compile and run.
 */
class ReadmeExampleTest {

  @Test
  void theReadmeShowsTheCodeThatCompiles() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    String example =
        marked(
            Files.readAllLines(Path.of("src/test/java/docs/javadsl/EmbeddedUse.java")),
            "// #embedded-use");
    assertThat(example).isNotBlank();
    assertThat(readme)
        .as("README.md must contain, as one code block, the marked lines of EmbeddedUse.java")
        .contains("```java\n" + example + "```\n");
  }

  @Test
  void theReadmeShowsTheSlotGroupsCodeThatCompiles() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    String example =
        marked(
            Files.readAllLines(Path.of("src/test/java/docs/javadsl/SlotGroupsUse.java")),
            "// #slot-groups");
    assertThat(example).isNotBlank();
    assertThat(readme)
        .as("README.md must contain, as one code block, the marked lines of SlotGroupsUse.java")
        .contains("```java\n" + example + "```\n");
  }

  /** The lines between pairs of {@code marker} lines, with the common indentation removed. */
  static String marked(List<String> lines, String marker) {
    List<String> kept = new ArrayList<>();
    boolean inside = false;
    for (String line : lines) {
      if (line.trim().equals(marker)) {
        inside = !inside;
      } else if (inside) {
        kept.add(line);
      }
    }
    int indent =
        kept.stream()
            .filter(l -> !l.isBlank())
            .mapToInt(l -> l.length() - l.stripLeading().length())
            .min()
            .orElse(0);
    StringBuilder sb = new StringBuilder();
    for (String line : kept) {
      sb.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
    }
    return sb.toString();
  }
}
