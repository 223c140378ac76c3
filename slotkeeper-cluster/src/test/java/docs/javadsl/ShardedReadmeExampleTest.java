package docs.javadsl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's "Many sources: Cluster Sharding" code block is exactly the marked lines of {@link
 * ShardedSourcesExample}, which compile (the marking rule is core's {@link ReadmeExampleTest}'s).
 */
class ShardedReadmeExampleTest {

  @Test
  void theReadmeShowsTheShardedSourcesCodeThatCompiles() throws IOException {
    String readme = Files.readString(Path.of("../README.md"));
    String example =
        ReadmeExampleTest.marked(
            Files.readAllLines(Path.of("src/test/java/docs/javadsl/ShardedSourcesExample.java")),
            "// #sharded-sources");
    assertThat(example).isNotBlank();
    assertThat(readme)
        .as(
            "README.md must contain, as one code block, the marked lines of ShardedSourcesExample.java")
        .contains("```java\n" + example + "```\n");
  }
}
