package io.slotkeeper.internal.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * SQLSTATE codes are written out in one place, {@link SqlStates}: the main code of every module
 * (this one's siblings, read from the build's root: Surefire runs in the module's directory) names
 * them.
 */
class SqlStateLiteralsTest {
  private static final Path ROOT = Path.of("..");
  private static final String HOME =
      "slotkeeper-core/src/main/java/io/slotkeeper/internal/supervision/SqlStates.java";

  /**
   * A quoted five-character code as PostgreSQL's errcodes.txt has them: a two-character class of
   * digits and capitals, then a subclass of three with at most one capital ("000", "P01", "00B").
   * Words and sizes in capitals ("STATE", "256MB") have more letters than that.
   */
  static final Pattern SQLSTATE_LITERAL =
      Pattern.compile("\"[0-9A-Z]{2}(?:[0-9]{3}|[A-Z][0-9]{2}|[0-9][A-Z][0-9]|[0-9]{2}[A-Z])\"");

  @Test
  void noSqlStateIsWrittenOutInMainCodeOutsideSqlStates() {
    List<Path> sources = mainSources();
    assertThat(sources)
        .as("main sources read; the engine's and the program's among them")
        .anyMatch(p -> relative(p).startsWith("slotkeeper-cli/src/main/java/"))
        .anyMatch(p -> relative(p).startsWith("slotkeeper-cluster/src/main/java/"))
        .anyMatch(p -> relative(p).equals(HOME));
    List<String> found = new ArrayList<>();
    for (Path file : sources) {
      if (relative(file).equals(HOME)) {
        continue;
      }
      found.addAll(literals(file));
    }
    assertThat(found)
        .as("SQLSTATE literals outside SqlStates (name them there and use the constant)")
        .isEmpty();
  }

  @Test
  void thePatternFindsEveryCodeOfSqlStatesAndNoWords() {
    List<String> home = literals(ROOT.resolve(HOME));
    // Every constant of SqlStates but the classes (two or three characters, compared by prefix).
    assertThat(home).hasSize(16);
    assertThat(home).anyMatch(s -> s.contains("\"28P01\"")).anyMatch(s -> s.contains("\"0A000\""));
    String words = "\"STATE\" \"TABLE\" \"MAJOR\" \"DEBUG\" \"256MB\" \"UTF-8\"";
    assertThat(SQLSTATE_LITERAL.matcher(words).find()).isFalse();
  }

  /** "path:line: text" for each SQLSTATE-looking literal in {@code file}. */
  private static List<String> literals(Path file) {
    List<String> found = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = SQLSTATE_LITERAL.matcher(lines.get(i));
      while (m.find()) {
        found.add(relative(file) + ":" + (i + 1) + ": " + lines.get(i).trim());
      }
    }
    return found;
  }

  private static List<Path> mainSources() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(p -> relative(p).matches("[^/]+/src/main/java/.*"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String relative(Path p) {
    return ROOT.relativize(p).normalize().toString().replace('\\', '/');
  }
}
