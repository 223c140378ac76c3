package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/slotkeeper} keeps a class-data-sharing archive (issue 16: 2.7 s from start to first
 * line, most of it loading classes): a run that reaches streaming writes it at exit, the next run
 * takes it into use, and stdout, which belongs to the program, never carries a word from the JVM
 * about it. A run that never streamed (help, version, a failure before the stream) leaves none: its
 * classes would make every later start slow (1.8-2.0 s to the first line with --version's archive,
 * 1.2-1.5 s with stream's).
 */
class LauncherClassSharingIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

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
  void aRunThatStreamedWritesTheArchiveAndTheNextUseIt() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE cds_t (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION cds_pub FOR TABLE cds_t");
    pg.execute("SELECT pg_create_logical_replication_slot('cds_slot', 'pgoutput')");
    pg.execute("INSERT INTO cds_t VALUES (1)");
    String end = pg.queryString("SELECT pg_current_wal_lsn()::text");

    Run streamed =
        run(Map.of(), CliHttp.existingSlotArgs(pg, "cds_slot", "cds_pub", "--end-lsn", end));
    assertThat(streamed.exit).as("stderr: %s", streamed.stderr).isZero();
    assertThat(streamed.stdout).contains("\"insert\"");
    assertThat(streamed.stderr).as("stderr").doesNotContain("building").doesNotContain("warning");
    assertThat(names())
        .as("after the run that streamed: its dump and the mark that it streamed")
        .hasSize(2)
        .allMatch(n -> n.startsWith(".slotkeeper-cds-"))
        .anyMatch(n -> n.endsWith(".jsa"))
        .anyMatch(n -> n.endsWith(".streamed"));

    Run version = run(Map.of(), "--version");
    assertThat(version.stdout).startsWith("slotkeeper ").hasLineCount(1);
    assertThat(version.stderr).isEmpty();
    assertThat(names())
        .as("the finished dump renamed into place, its mark gone")
        .singleElement()
        .satisfies(n -> assertThat(n).startsWith("slotkeeper-cds-").endsWith(".jsa"));

    // -Xshare:on makes the JVM fail unless it maps the archive: proof that it is usable.
    Run strict = run(Map.of("SLOTKEEPER_JAVA_OPTS", "-Xshare:on"), "--version");
    assertThat(strict.exit).as("exit with -Xshare:on; stderr: %s", strict.stderr).isZero();
    assertThat(strict.stdout).isEqualTo(version.stdout);
  }

  @Test
  void runsThatNeverStreamedLeaveNoArchive() throws Exception {
    Run version = run(Map.of(), "--version");
    assertThat(version.stdout).startsWith("slotkeeper ");
    assertThat(names()).as("after --version").isEmpty();

    Run help = run(Map.of(), "stream", "--help");
    assertThat(help.exit).isZero();
    assertThat(names()).as("after stream --help").isEmpty();

    // Fails before streaming (no such publication): the JVM still dumps its classes at exit,
    // unmarked.
    PostgresServer pg = PG.server();
    pg.execute("SELECT pg_create_logical_replication_slot('cds_fail_slot', 'pgoutput')");
    Run failed = run(Map.of(), CliHttp.existingSlotArgs(pg, "cds_fail_slot", "no_such_pub"));
    assertThat(failed.exit).as("stderr: %s", failed.stderr).isEqualTo(1);
    assertThat(names()).as("after the failed run").noneMatch(n -> n.endsWith(".streamed"));

    run(Map.of(), "--version");
    assertThat(names()).as("the unmarked dump deleted, nothing kept").isEmpty();
  }

  @Test
  void offMeansNoArchive() throws Exception {
    Run off = run(Map.of("SLOTKEEPER_CDS", "off"), "--version");
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
        run(
            Map.of("SLOTKEEPER_CDS", "off", "SLOTKEEPER_JAVA_OPTS", "-XX:+PrintCommandLineFlags"),
            "--version");
    assertThat(defaults.exit).as("stderr: %s", defaults.stderr).isZero();
    String flags = defaults.stdout.lines().findFirst().orElseThrow();
    assertThat(flags).contains("-XX:+UseSerialGC").contains("-XX:TieredStopAtLevel=1");

    Run own =
        run(
            Map.of(
                "SLOTKEEPER_CDS",
                "off",
                "SLOTKEEPER_JAVA_OPTS",
                "-XX:+PrintCommandLineFlags -XX:+UseParallelGC -XX:TieredStopAtLevel=4"),
            "--version");
    assertThat(own.exit).as("stderr: %s", own.stderr).isZero();
    flags = own.stdout.lines().findFirst().orElseThrow();
    assertThat(flags)
        .contains("-XX:+UseParallelGC")
        .doesNotContain("UseSerialGC")
        .doesNotContain("TieredStopAtLevel=1");
    assertThat(own.stdout).contains("slotkeeper ");
  }

  private record Run(int exit, String stdout, String stderr) {}

  private Run run(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SLOTKEEPER_CDS_DIR", cds.toString());
    pb.environment().put("PGPASSWORD", PG.server().superuserPassword());
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
