package io.slotkeeper;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.javadsl.Control;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public packages (io.slotkeeper, io.slotkeeper.javadsl, io.slotkeeper.pgoutput) name no
 * internal class, and every public class of the internal packages says that it is internal. Reads
 * the sources of this module (Surefire runs in the module's directory).
 */
class PublicApiBoundaryTest {
  static final Path MAIN = Path.of("src/main/java/io/slotkeeper");

  /**
   * The one allowed reference: the entry point has to construct the engine. It names the stage only
   * inside {@code create}, never in a signature (create returns {@code Source<ChangeEnvelope,
   * Control>}).
   */
  static final Set<String> ALLOWED =
      Set.of(
          "javadsl/ReplicationSource.java: import io.slotkeeper.internal.stage.ReplicationSourceStage;",
          "javadsl/WalArchiver.java: import io.slotkeeper.internal.physical.Archiver;");

  private static final Pattern PUBLIC_TOP_LEVEL_TYPE =
      Pattern.compile(
          "(?m)^public (final |abstract |sealed |non-sealed )*(class|interface|record|enum|@interface) ");

  @Test
  void publicPackagesDoNotReferToInternals() {
    assertThat(internalReferencesInPublicPackages(MAIN))
        .as(
            "lines of the public packages that name io.slotkeeper.internal (move what they need out of internal)")
        .isEmpty();
  }

  @Test
  void publicClassesOfInternalPackagesAreMarkedInternal() {
    assertThat(unmarkedPublicInternalTypes(MAIN))
        .as("public types in io.slotkeeper.internal without @InternalApi")
        .isEmpty();
    try (Stream<Path> dirs = Files.walk(MAIN.resolve("internal"))) {
      assertThat(
              dirs.filter(Files::isDirectory)
                  .filter(d -> !Files.exists(d.resolve("package-info.java")))
                  .toList())
          .as("internal packages without a package-info.java saying they are internal")
          .isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theOffsetIsAnInterfaceAndEnvelopesAreMadeByFactories() throws Exception {
    assertThat(CommittableOffset.class.isInterface()).isTrue();
    assertThat(ChangeEnvelope.class.getConstructors())
        .as("public constructors of ChangeEnvelope")
        .isEmpty();
    assertThat(ChangeEnvelope.class.getMethods()).extracting(Method::getName).doesNotContain("ack");
    Method close =
        Control.class.getMethod("subscribe", Consumer.class).getReturnType().getMethod("close");
    assertThat(close.getExceptionTypes())
        .as("exceptions declared by the subscription's close()")
        .isEmpty();
  }

  /** "path: line" for each line of the public packages that mentions the internal package. */
  static List<String> internalReferencesInPublicPackages(Path main) {
    List<String> found = new ArrayList<>();
    for (Path file : javaFiles(main)) {
      String relative = main.relativize(file).toString().replace('\\', '/');
      if (relative.startsWith("internal/")) {
        continue;
      }
      for (String line : lines(file)) {
        String entry = relative + ": " + line.trim();
        if (line.contains("io.slotkeeper.internal") && !ALLOWED.contains(entry)) {
          found.add(entry);
        }
      }
    }
    return found;
  }

  static List<String> unmarkedPublicInternalTypes(Path main) {
    List<String> found = new ArrayList<>();
    for (Path file : javaFiles(main.resolve("internal"))) {
      String text = String.join("\n", lines(file));
      var m = PUBLIC_TOP_LEVEL_TYPE.matcher(text);
      if (m.find() && !text.substring(0, m.start()).contains("@InternalApi")) {
        found.add(main.relativize(file).toString());
      }
    }
    return found;
  }

  private static List<Path> javaFiles(Path root) {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
