package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/slotkeeper} keeps a class-data-sharing archive (issue 16: 2.7 s from start to first
 * line, most of it loading classes): the first run writes it at exit, the next takes it into use,
 * and stdout, which belongs to the program, never carries a word from the JVM about it.
 */
class LauncherClassSharingIT {
  private static final Path SCRIPT = Paths.get("..", "bin", "slotkeeper").toAbsolutePath();

  @TempDir Path cds;

  /**
   * The launcher rebuilds when a source is newer than the jar; Maven leaves an unchanged jar's time
   * alone, so after an edit elsewhere that check could start a build inside this test. The jar this
   * build packaged is the program to run: mark it current.
   */
  @BeforeAll
  static void theJarIsCurrent() throws IOException {
    Path target = SCRIPT.getParent().getParent().resolve("slotkeeper-cli").resolve("target");
    try (Stream<Path> files = Files.list(target)) {
      for (Path jar :
          files
              .filter(f -> f.getFileName().toString().matches("slotkeeper-cli-.*\\.jar"))
              .filter(f -> !f.getFileName().toString().matches(".*-(sources|tests)\\.jar"))
              .toList()) {
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now()));
      }
    }
  }

  @Test
  void theFirstRunWritesTheArchiveAndTheNextUseIt() throws Exception {
    Run first = run(Map.of());
    assertThat(first.stdout).startsWith("slotkeeper ").hasLineCount(1);
    assertThat(first.stderr).as("stderr").doesNotContain("building").doesNotContain("warning");
    assertThat(names()).as("after the first run").hasSize(1).allMatch(n -> n.startsWith("."));

    Run second = run(Map.of());
    assertThat(second.stdout).isEqualTo(first.stdout);
    assertThat(second.stderr).isEmpty();
    assertThat(names())
        .as("the finished dump renamed into place")
        .singleElement()
        .satisfies(n -> assertThat(n).startsWith("slotkeeper-cds-").endsWith(".jsa"));

    // -Xshare:on makes the JVM fail unless it maps the archive: proof that it is usable.
    Run strict = run(Map.of("SLOTKEEPER_JAVA_OPTS", "-Xshare:on"));
    assertThat(strict.exit).as("exit with -Xshare:on; stderr: %s", strict.stderr).isZero();
    assertThat(strict.stdout).isEqualTo(first.stdout);
  }

  @Test
  void offMeansNoArchive() throws Exception {
    Run off = run(Map.of("SLOTKEEPER_CDS", "off"));
    assertThat(off.stdout).startsWith("slotkeeper ");
    assertThat(names()).isEmpty();
  }

  /**
   * The launcher's JVM defaults for the program (issue 16: C1 only and the serial collector cut its
   * CPU per change by a quarter), and SLOTKEEPER_JAVA_OPTS replacing them: a second collector would
   * make the JVM refuse to start. The JVM itself says which flags it took.
   */
  @Test
  void theProgramsJvmDefaultsGiveWayToTheUsersOptions() throws Exception {
    Run defaults =
        run(Map.of("SLOTKEEPER_CDS", "off", "SLOTKEEPER_JAVA_OPTS", "-XX:+PrintCommandLineFlags"));
    assertThat(defaults.exit).as("stderr: %s", defaults.stderr).isZero();
    String flags = defaults.stdout.lines().findFirst().orElseThrow();
    assertThat(flags).contains("-XX:+UseSerialGC").contains("-XX:TieredStopAtLevel=1");

    Run own =
        run(
            Map.of(
                "SLOTKEEPER_CDS",
                "off",
                "SLOTKEEPER_JAVA_OPTS",
                "-XX:+PrintCommandLineFlags -XX:+UseParallelGC -XX:TieredStopAtLevel=4"));
    assertThat(own.exit).as("stderr: %s", own.stderr).isZero();
    flags = own.stdout.lines().findFirst().orElseThrow();
    assertThat(flags)
        .contains("-XX:+UseParallelGC")
        .doesNotContain("UseSerialGC")
        .doesNotContain("TieredStopAtLevel=1");
    assertThat(own.stdout).contains("slotkeeper ");
  }

  private record Run(int exit, String stdout, String stderr) {}

  private Run run(Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", SCRIPT.toString(), "--version");
    pb.environment().put("SLOTKEEPER_CDS_DIR", cds.toString());
    pb.environment().putAll(env);
    Path out = cds.resolveSibling(cds.getFileName() + ".out");
    Path err = cds.resolveSibling(cds.getFileName() + ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the launcher finished").isTrue();
    return new Run(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(cds)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
