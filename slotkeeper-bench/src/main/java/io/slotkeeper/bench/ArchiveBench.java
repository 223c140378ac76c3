package io.slotkeeper.bench;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.WalArchiver;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * WAL archiving throughput (issue 14): the server writes a backlog of WAL while nobody archives
 * (the rate it generates WAL is the first figure), then each contender archives that backlog from
 * its own physical slot, created before the backlog, so every run reads the same WAL: Slotkeeper's
 * {@link WalArchiver}, the thin pgjdbc loop ({@link ThinArchiveLoop}: pg_receivewal's file and
 * fsync pattern in one blocking thread) and, when a {@code pg_receivewal} that can stream from this
 * server is installed, {@code pg_receivewal --endpos}. Runs alternate; each contender's figure is
 * the median. The clock runs from just before the archiver connects to when its archive holds the
 * backlog's end (Slotkeeper: its flushed position; the thin loop: its last segment fsynced and
 * renamed; pg_receivewal: its exit after --endpos, segments fsynced as it closes them). Every
 * archive's complete segments are compared byte for byte with Slotkeeper's.
 */
final class ArchiveBench {

  record Result(
      long walBytes,
      double generatedMbPerSecond,
      List<Double> slotkeeper,
      List<Double> thinLoop,
      List<Double> pgReceivewal,
      String peer,
      boolean identical) {}

  private final BenchDb db;
  private final ActorSystem<Void> system;
  private final PrintStream log;

  ArchiveBench(BenchDb db, ActorSystem<Void> system, PrintStream log) {
    this.db = db;
    this.system = system;
    this.log = log;
  }

  /**
   * @param runs measured runs per contender, after one unmeasured pair (JIT and page cache warm:
   *     the first archive of a fresh JVM runs at half speed)
   */
  Result run(long walBytes, int measuredRuns) throws Exception {
    int runs = measuredRuns + 1;
    int major = Integer.parseInt(db.serverVersion().split("\\.")[0]);
    Optional<Path> peer = io.slotkeeper.postgres.ClientTools.pgReceivewal(major);
    List<String> skSlots = new ArrayList<>();
    List<String> thinSlots = new ArrayList<>();
    List<String> rwSlots = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      skSlots.add("arch_sk_" + i);
      db.execute("SELECT pg_create_physical_replication_slot('arch_sk_" + i + "', true)");
      thinSlots.add("arch_thin_" + i);
      db.execute("SELECT pg_create_physical_replication_slot('arch_thin_" + i + "', true)");
      if (peer.isPresent()) {
        rwSlots.add("arch_rw_" + i);
        db.execute("SELECT pg_create_physical_replication_slot('arch_rw_" + i + "', true)");
      }
    }
    db.execute("CREATE TABLE arch_t (id bigint, pad text)");
    Lsn start = lsn("pg_current_wal_lsn()");
    long t0 = System.nanoTime();
    long id = 0;
    while (lsn("pg_current_wal_lsn()").minus(start) < walBytes) {
      db.execute(
          "INSERT INTO arch_t SELECT g, repeat(md5(g::text), 8) FROM generate_series("
              + id
              + ", "
              + (id + 19_999)
              + ") g");
      id += 20_000;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Lsn end = lsn("pg_current_wal_lsn()");
    db.execute("SELECT pg_switch_wal()");
    Lsn target = lsn("pg_current_wal_lsn()");
    long generated = end.minus(start);
    double generatedRate = generated / 1e6 / seconds;
    log.printf(
        "archive: the server wrote %,d bytes of WAL in %.1f s (%.1f MB/s); archiving up to %s%n",
        generated, seconds, generatedRate, target);

    List<Double> sk = new ArrayList<>();
    List<Double> thin = new ArrayList<>();
    List<Double> rw = new ArrayList<>();
    Path tmp = Files.createTempDirectory("slotkeeper-archive-bench");
    boolean identical = true;
    for (int i = 0; i < runs; i++) {
      Lsn from = restartLsn(skSlots.get(i));
      Path skDir = tmp.resolve("sk" + i);
      double skRate = slotkeeper(skSlots.get(i), skDir, target, from);
      if (i > 0) {
        sk.add(skRate);
      }
      Path thinDir = tmp.resolve("thin" + i);
      double thinRate = thinLoop(thinSlots.get(i), thinDir, target, restartLsn(thinSlots.get(i)));
      if (i > 0) {
        thin.add(thinRate);
      }
      identical &= sameSegments(skDir, thinDir);
      if (peer.isPresent()) {
        Path rwDir = tmp.resolve("rw" + i);
        double rwRate =
            pgReceivewal(peer.get(), rwSlots.get(i), rwDir, target, restartLsn(rwSlots.get(i)));
        if (i > 0) {
          rw.add(rwRate);
        }
        identical &= sameSegments(skDir, rwDir);
      }
      if (i == 0) {
        log.println("archive: that was the warm-up pair; the next runs are measured");
      }
    }
    for (String s : skSlots) {
      db.execute("SELECT pg_drop_replication_slot('" + s + "')");
    }
    for (String s : thinSlots) {
      db.execute("SELECT pg_drop_replication_slot('" + s + "')");
    }
    for (String s : rwSlots) {
      db.execute("SELECT pg_drop_replication_slot('" + s + "')");
    }
    db.execute("DROP TABLE arch_t");
    deleteTree(tmp);
    return new Result(
        generated,
        generatedRate,
        sk,
        thin,
        rw,
        peer.map(p -> p + " (" + version(p) + ")").orElse("none installed for this server"),
        identical);
  }

  private double slotkeeper(String slot, Path dir, Lsn target, Lsn from) throws Exception {
    SourceSettings source = db.sourceSettings(slot, "unused");
    long t0 = System.nanoTime();
    ArchiveControl control = WalArchiver.start(system, ArchiveSettings.create(source, dir));
    while (control.progress().flushedLsn().isBefore(target)) {
      if (control.isShutdown().toCompletableFuture().isDone()) {
        throw new IllegalStateException("the archiver ended: " + control.status());
      }
      Thread.sleep(2);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    control.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    double rate = target.minus(from) / 1e6 / s;
    log.printf(
        "archive: slotkeeper     %,d bytes in %.2f s = %.1f MB/s%n", target.minus(from), s, rate);
    return rate;
  }

  private double thinLoop(String slot, Path dir, Lsn target, Lsn from) throws Exception {
    long t0 = System.nanoTime();
    ThinArchiveLoop.archive(db, slot, dir, from, target);
    double s = (System.nanoTime() - t0) / 1e9;
    double rate = target.minus(from) / 1e6 / s;
    log.printf(
        "archive: thin pgjdbc    %,d bytes in %.2f s = %.1f MB/s%n", target.minus(from), s, rate);
    return rate;
  }

  private double pgReceivewal(Path binary, String slot, Path dir, Lsn target, Lsn from)
      throws Exception {
    Files.createDirectories(dir);
    ProcessBuilder pb =
        new ProcessBuilder(
                binary.toString(),
                "-D",
                dir.toString(),
                "-S",
                slot,
                "-n",
                "--endpos=" + target,
                "-d",
                "host=" + db.pg.host() + " port=" + db.pg.port() + " user=" + db.pg.superuser())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolveSibling(dir.getFileName() + ".log").toFile());
    pb.environment().put("PGPASSWORD", db.pg.superuserPassword());
    long t0 = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "pg_receivewal failed: "
              + Files.readString(dir.resolveSibling(dir.getFileName() + ".log")));
    }
    double s = (System.nanoTime() - t0) / 1e9;
    double rate = target.minus(from) / 1e6 / s;
    log.printf(
        "archive: pg_receivewal  %,d bytes in %.2f s = %.1f MB/s%n", target.minus(from), s, rate);
    return rate;
  }

  /** Every complete segment both archives have is the same file. */
  private boolean sameSegments(Path a, Path b) throws IOException {
    List<String> names;
    try (Stream<Path> s = Files.list(a)) {
      names =
          s.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9A-F]{24}")).toList();
    }
    int compared = 0;
    for (String n : names) {
      if (Files.exists(b.resolve(n))) {
        if (Files.mismatch(a.resolve(n), b.resolve(n)) != -1) {
          log.printf("archive: %s differs between the two archives%n", n);
          return false;
        }
        compared++;
      }
    }
    log.printf("archive: %d complete segments identical in both archives%n", compared);
    return compared > 0;
  }

  private Lsn lsn(String expression) {
    return Lsn.parse(db.pg.queryString("SELECT " + expression + "::text"));
  }

  private Lsn restartLsn(String slot) {
    Lsn r = lsn("(SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = '" + slot + "')");
    long segment = 16L << 20;
    return Lsn.of(r.value() - (r.value() % segment));
  }

  private static String version(Path binary) {
    try {
      Process p =
          new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return out;
    } catch (IOException | InterruptedException e) {
      return "version unknown";
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
