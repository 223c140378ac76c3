package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.postgres.PostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the archiver's integration tests share: settings for a server with 1 MB segments, WAL
 * writers, waits, and the checks (no segment missing, each archived segment equal to the server's
 * own pg_wal file, which wal_keep_size keeps).
 */
abstract class ArchiveFixtures extends ActorSystemPerClass {
  static final Duration WAIT = Duration.ofSeconds(60);

  abstract PostgresServer pg();

  @TempDir Path temp;

  private void schema() {
    pg().execute("CREATE TABLE IF NOT EXISTS filler (id bigserial PRIMARY KEY, pad text NOT NULL)");
  }

  ArchiveSettings settings(String slot, Path dir) {
    PostgresServer pg = pg();
    return ArchiveSettings.create(
        SourceSettings.create(com.typesafe.config.ConfigFactory.empty())
            .withUrl(pg.jdbcUrl())
            .withUser(pg.superuser())
            .withPassword(pg.superuserPassword())
            .withSlotName(slot)
            .withRestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2),
        dir);
  }

  /** About half a segment of WAL without a switch; returns the server's position after it. */
  Lsn writeSome() {
    schema();
    pg().execute("INSERT INTO filler (pad) SELECT repeat('x', 400) FROM generate_series(1, 700)");
    return Lsn.parse(pg().queryString("SELECT pg_current_wal_lsn()::text"));
  }

  /** Writes WAL and ends the segment; returns the start of the next one. */
  Lsn writeAndSwitch() {
    writeSome();
    pg().queryString("SELECT pg_switch_wal()::text");
    return Lsn.parse(pg().queryString("SELECT pg_current_wal_lsn()::text"));
  }

  static void awaitFlushed(ArchiveControl control, Lsn target) throws Exception {
    Harness.await(
        "the archive to flush up to " + target,
        WAIT,
        () -> !control.progress().flushedLsn().isBefore(target));
  }

  static void awaitLevel(ArchiveControl control, StatusLevel level) throws Exception {
    control
        .waitUntil(level, WAIT)
        .toCompletableFuture()
        .get(WAIT.toSeconds() + 5, TimeUnit.SECONDS);
  }

  static void shutdown(ArchiveControl control) throws Exception {
    control.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static List<String> completeSegments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("[0-9A-F]{24}"))
          .sorted()
          .toList();
    }
  }

  static List<String> partialSegments(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".partial"))
          .sorted()
          .toList();
    }
  }

  /** The segment number a name stands for, with 1 MB segments (4096 per log id). */
  static long segmentNumber(String name) {
    return Long.parseLong(name.substring(8, 16), 16) * 4096
        + Long.parseLong(name.substring(16, 24), 16);
  }

  static void assertContiguous(List<String> names) {
    TreeSet<Long> numbers = new TreeSet<>();
    names.forEach(n -> numbers.add(segmentNumber(n)));
    List<Long> missing = new ArrayList<>();
    for (long s = numbers.first(); s <= numbers.last(); s++) {
      if (!numbers.contains(s)) {
        missing.add(s);
      }
    }
    assertThat(missing)
        .as("segments missing between %s and %s", names.get(0), names.get(names.size() - 1))
        .isEmpty();
  }

  /** Each named archived segment equals the server's own file of that name, byte for byte. */
  void assertSameAsServer(Path dir, List<String> names) throws IOException {
    Path pgWal = Path.of(pg().queryString("SHOW data_directory")).resolve("pg_wal");
    for (String name : names) {
      byte[] server = Files.readAllBytes(pgWal.resolve(name));
      byte[] archived = Files.readAllBytes(dir.resolve(name));
      assertThat(archived).as("archived %s equals the server's", name).hasSize(server.length);
      assertThat(archived).as("archived %s equals the server's", name).isEqualTo(server);
    }
  }

  Lsn restartLsn(String slot) {
    String s =
        pg().queryString(
                "SELECT restart_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                    + slot
                    + "'");
    return s == null ? Lsn.INVALID : Lsn.parse(s);
  }
}
