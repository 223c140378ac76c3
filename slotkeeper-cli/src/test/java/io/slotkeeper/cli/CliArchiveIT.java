package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slotkeeper archive}: the refusal without a slot, and an archive of the server's default 16
 * MB segments that a SIGTERM-style stop ends with exit 0.
 */
class CliArchiveIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static Map<String, String> env() {
    return Map.of("PGPASSWORD", PG.server().superuserPassword());
  }

  private static String[] args(String... more) {
    PostgresServer pg = PG.server();
    return Stream.concat(
            Stream.of("archive", "--url", pg.jdbcUrl(), "--user", pg.superuser()), Stream.of(more))
        .toArray(String[]::new);
  }

  private static List<String> files(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  @Test
  void withoutASlotAnEmptyDirectoryIsRefusedNamingTheFix(@TempDir Path temp) {
    CliRun run = CliRun.run(env(), args("--dir", temp.resolve("a").toString()));
    assertThat(run.exitCode).as(run.toString()).isEqualTo(1);
    assertThat(run.err).contains("no slot is used", "Fix:", "--allow-gap");
    assertThat(run.err.trim().split("\n")).as(run.toString()).hasSize(1);
  }

  @Test
  void archivesCompleteSegmentsAndStopsCleanly(@TempDir Path temp) throws Exception {
    PostgresServer pg = PG.server();
    Path dir = temp.resolve("wal");
    CliRun.Background run =
        new CliRun.Background(
            env(), args("--slot", "cli_archive", "--create-slot", "--dir", dir.toString()));
    await(
        "a .partial segment",
        () -> uncheckedFiles(dir).stream().anyMatch(n -> n.endsWith(".partial")));
    pg.execute("CREATE TABLE IF NOT EXISTS a (id int, pad text)");
    pg.execute("INSERT INTO a SELECT g, repeat('y', 200) FROM generate_series(1, 1000) g");
    String switched = pg.queryString("SELECT pg_walfile_name(pg_switch_wal())");
    await("segment " + switched + " complete", () -> uncheckedFiles(dir).contains(switched));
    run.cli.requestStop("SIGTERM");
    int exit = run.exit.get(60, TimeUnit.SECONDS);
    assertThat(exit).as(run.err()).isZero();
    assertThat(Files.size(dir.resolve(switched))).isEqualTo(16L << 20);
    assertThat(run.err())
        .contains("archiving into " + dir)
        .contains(pg.version() >= 15 ? "READ_REPLICATION_SLOT" : "pg_replication_slots");
    assertThat(
            pg.queryString(
                "SELECT slot_type FROM pg_replication_slots WHERE slot_name = 'cli_archive'"))
        .isEqualTo("physical");
  }

  @Test
  void anUnknownCompressionIsAUsageErrorNamingTheChoices(@TempDir Path temp) {
    CliRun run =
        CliRun.run(
            env(),
            args("--slot", "x", "--dir", temp.resolve("z").toString(), "--compress", "brotli"));
    assertThat(run.exitCode).as(run.toString()).isEqualTo(CliException.USAGE);
    assertThat(run.err).contains("brotli", "none, gzip, lz4 or zstd");
  }

  /** A level as pg_receivewal takes it (METHOD:LEVEL), refused outside the method's range. */
  @Test
  void aCompressionLevelOutOfRangeIsAUsageError(@TempDir Path temp) {
    CliRun run =
        CliRun.run(
            env(),
            args("--slot", "x", "--dir", temp.resolve("z").toString(), "--compress", "zstd:23"));
    assertThat(run.exitCode).as(run.toString()).isEqualTo(CliException.USAGE);
    assertThat(run.err).contains("zstd", "1 to 22");
  }

  /**
   * --compress gzip writes NAME.gz.partial; --application-name names the connection; --synchronous
   * makes it a synchronous candidate; /status has the archive's figures and /metrics the
   * slotkeeper_archive_* series.
   */
  @Test
  void compressedSynchronousArchiveWithItsFiguresOverHttp(@TempDir Path temp) throws Exception {
    PostgresServer pg = PG.server();
    Path dir = temp.resolve("gz");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String token = "tok-archive-77d0";
    CliRun.Background run =
        new CliRun.Background(
            Map.of("PGPASSWORD", PG.server().superuserPassword(), HttpToken.ENV, token),
            args(
                "--slot",
                "cli_gz",
                "--create-slot",
                "--dir",
                dir.toString(),
                "--compress",
                "gzip",
                "--synchronous",
                "--application-name",
                "cli_gz_archiver",
                "--http",
                "127.0.0.1:" + port));
    await(
        "a .gz.partial segment",
        () -> uncheckedFiles(dir).stream().anyMatch(n -> n.endsWith(".gz.partial")));
    await(
        "the walsender named cli_gz_archiver",
        () ->
            "1"
                .equals(
                    pg.queryString(
                        "SELECT count(*)::text FROM pg_stat_replication"
                            + " WHERE application_name = 'cli_gz_archiver'")));
    pg.execute("CREATE TABLE IF NOT EXISTS gz (id int, pad text)");
    pg.execute("INSERT INTO gz SELECT g, repeat('z', 200) FROM generate_series(1, 1000) g");
    String switched = pg.queryString("SELECT pg_walfile_name(pg_switch_wal())");
    await("segment " + switched + ".gz", () -> uncheckedFiles(dir).contains(switched + ".gz"));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    // The archiver's status server takes the same token (and TLS) flags as stream's.
    assertThat(CliHttp.send(http, "http://127.0.0.1:" + port + "/status", null).statusCode())
        .isEqualTo(401);
    String status =
        CliHttp.send(http, "http://127.0.0.1:" + port + "/status", "Bearer " + token).body();
    assertThat(status)
        .contains("\"archive\"", "\"timeline\":1", "\"bytes_per_second\"", "\"current_segment\"");
    String metrics =
        CliHttp.send(http, "http://127.0.0.1:" + port + "/metrics", "Bearer " + token).body();
    assertThat(metrics)
        .contains(
            "slotkeeper_archive_bytes_written_total{slot=\"cli_gz\"}",
            "slotkeeper_archive_segments_completed_total{slot=\"cli_gz\"}",
            "slotkeeper_archive_timeline{slot=\"cli_gz\"} 1");
    run.cli.requestStop("SIGTERM");
    assertThat(run.exit.get(60, TimeUnit.SECONDS)).as(run.err()).isZero();
    assertThat(run.err()).doesNotContain(token);
    assertThat(uncheckedFiles(dir)).noneMatch(n -> n.matches("[0-9A-F]{24}(\\.partial)?"));
  }

  private static List<String> uncheckedFiles(Path dir) {
    try {
      return files(dir);
    } catch (Exception e) {
      return List.of();
    }
  }
}
