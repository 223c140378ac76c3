package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM drains: the program, as its own process, is stopped with SIGTERM under a running write
 * load; it exits 0 having acknowledged exactly what it wrote, and a second run continues the same
 * file with no gap and no duplicate.
 */
class CliSignalIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @Test
  void sigtermDrainsAndARestartContinuesWithoutGapOrDuplicate(@TempDir Path dir) throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE s (id bigint PRIMARY KEY, v text)");
    pg.execute("CREATE PUBLICATION sig_pub FOR TABLE s");
    pg.execute("SELECT pg_create_logical_replication_slot('sig_slot', 'pgoutput')");
    Path output = dir.resolve("changes.jsonl");
    Path stderr = dir.resolve("stderr.txt");

    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicLong nextId = new AtomicLong(1);
    Thread load =
        new Thread(
            () -> {
              try (Connection c = pg.connect()) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO s VALUES (?, 'row')")) {
                  while (writing.get()) {
                    for (int i = 0; i < 3; i++) {
                      ps.setLong(1, nextId.getAndIncrement());
                      ps.addBatch();
                    }
                    ps.executeBatch();
                    c.commit();
                    Thread.sleep(5);
                  }
                }
              } catch (SQLException | InterruptedException e) {
                throw new IllegalStateException(e);
              }
            },
            "write-load");
    load.start();

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            "io.slotkeeper.cli.Main",
            "stream",
            "--url",
            pg.jdbcUrl(),
            "--user",
            pg.superuser(),
            "--slot",
            "sig_slot",
            "--publication",
            "sig_pub",
            "--output",
            output.toString());
    pb.environment().put("PGPASSWORD", pg.superuserPassword());
    pb.redirectError(stderr.toFile());
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    Process child = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (lineCount(output) < 300) {
        assertThat(child.isAlive()).as("child still running; stderr: %s", read(stderr)).isTrue();
        assertThat(System.nanoTime()).as("300 lines within 60 s").isLessThan(deadline);
        Thread.sleep(50);
      }
      child.destroy(); // SIGTERM
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as(read(stderr)).isZero();
    } finally {
      child.destroyForcibly();
    }
    assertThat(read(stderr)).as("quiet when stderr is not a terminal").isEmpty();

    // Everything written was acknowledged: the slot stands at (or past) the last written commit.
    List<Map<String, Object>> firstRun = parse(output);
    Lsn lastWritten = Lsn.parse((String) firstRun.get(firstRun.size() - 1).get("commit_lsn"));
    Lsn confirmed =
        Lsn.parse(
            pg.queryString(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'sig_slot'"));
    assertThat(confirmed).isGreaterThan(lastWritten);

    Thread.sleep(500);
    writing.set(false);
    load.join(10_000);
    String end = pg.queryString("SELECT pg_current_wal_lsn()::text");
    CliRun second =
        CliRun.run(
            Map.of("PGPASSWORD", pg.superuserPassword()),
            "stream",
            "--url",
            pg.jdbcUrl(),
            "--user",
            pg.superuser(),
            "--slot",
            "sig_slot",
            "--publication",
            "sig_pub",
            "--output",
            output.toString(),
            "--end-lsn",
            end);
    assertThat(second.exitCode).as(second.toString()).isZero();

    List<Long> ids = new ArrayList<>();
    for (Map<String, Object> line : parse(output)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> row = (Map<String, Object>) line.get("new");
      ids.add(Long.parseLong((String) row.get("id")));
    }
    Set<Long> inTable =
        pg.query(
            "SELECT id FROM s",
            rs -> {
              Set<Long> set = new HashSet<>();
              while (rs.next()) {
                set.add(rs.getLong(1));
              }
              return set;
            });
    assertThat(ids).as("no duplicates").doesNotHaveDuplicates();
    assertThat(new HashSet<>(ids)).as("no gap").isEqualTo(inTable);
    assertThat(ids).as("in commit order").isSorted();
    assertThat(ids.size()).isGreaterThan(firstRun.size());
  }

  private static long lineCount(Path p) throws IOException {
    if (!Files.exists(p)) {
      return 0;
    }
    try (var lines = Files.lines(p)) {
      return lines.count();
    }
  }

  private static List<Map<String, Object>> parse(Path p) throws IOException {
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
      out.add(TestJson.object(line));
    }
    return out;
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p) : "";
  }
}
