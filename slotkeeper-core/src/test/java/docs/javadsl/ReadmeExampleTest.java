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
 * compile and run; its "One database over several slots" block those of {@link SlotGroupsUse}.
 */
class ReadmeExampleTest {

  @Test
  void theReadmeShowsTheCodeThatCompiles() throws IOException {
    assertReadmeShows("EmbeddedUse.java", "// #embedded-use");
  }

  @Test
  void theReadmeShowsTheSlotGroupsCodeThatCompiles() throws IOException {
    assertReadmeShows("SlotGroupsUse.java", "// #slot-groups");
  }

  /** The README holds the marked lines of {@code file} as one Java code block. */
  private static void assertReadmeShows(String file, String marker) throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    String example =
        marked(Files.readAllLines(Path.of("src/test/java/docs/javadsl/" + file)), marker);
    assertThat(example).isNotBlank();
    assertThat(readme)
        .as("README.md must contain, as one code block, the marked lines of " + file)
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
