package io.slotkeeper.bench;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * What a quiet source costs: CPU of this JVM while N sources stream publications that nobody writes
 * to, minus the same JVM's CPU over the same time with no source (measured just before), per source
 * and as a share of one core. Also {@code pg_recvlogical} (when installed) on one quiet slot: its
 * own process's CPU over the same time. Keepalives run as configured (the server's
 * wal_sender_timeout, here the default 60 s: a status update every 15 s), so what is measured is
 * the engine's own idling: re-polls, timers, the admin connection's ticks.
 */
final class IdleBench {

  /** CPU of one run: {@code sources} quiet sources over {@code seconds}. */
  record Result(int sources, double seconds, double cpuSeconds) {
    /** Percent of one core, over the whole run (a process of its own: pg_recvlogical). */
    double percentOfCore() {
      return 100.0 * cpuSeconds / seconds;
    }

    /** Percent of one core per source, over the whole run, above the JVM's own. */
    double percentPerSource(Result baseline) {
      double extra = cpuSeconds - baseline.cpuSeconds * seconds / baseline.seconds;
      return 100.0 * extra / seconds / Math.max(1, sources);
    }
  }

  private final BenchDb db;
  private final ActorSystem<?> system;
  private final PrintStream log;

  IdleBench(BenchDb db, ActorSystem<?> system, PrintStream log) {
    this.db = db;
    this.system = system;
    this.log = log;
  }

  /** This JVM with no source, over {@code seconds}. */
  Result baseline(int seconds) throws InterruptedException {
    Result r = measure(0, seconds);
    log.printf("idle baseline (no source): %.2f s CPU in %.0f s%n", r.cpuSeconds, r.seconds);
    return r;
  }

  /** {@code n} quiet sources, each on its own slot and publication, measured after they settle. */
  Result sources(int n, int seconds) throws Exception {
    db.execute("CREATE TABLE IF NOT EXISTS idle_t (id bigint primary key, note text)");
    List<Control> controls = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        String slot = "idle_" + n + "_" + i;
        db.execute("CREATE PUBLICATION " + slot + "_pub FOR TABLE idle_t");
        db.createSlot(slot);
        controls.add(
            ReplicationSource.create(db.sourceSettings(slot, slot + "_pub"))
                .toMat(Sink.<ChangeEnvelope>ignore(), Keep.left())
                .run(system));
      }
      for (Control c : controls) {
        c.waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(120))
            .toCompletableFuture()
            .get(130, TimeUnit.SECONDS);
      }
      // Start-up work (connects, JIT, first status updates) is not idling.
      Thread.sleep(3000);
      Result r = measure(n, seconds);
      log.printf("idle %d source(s): %.2f s CPU in %.0f s%n", n, r.cpuSeconds, r.seconds);
      return r;
    } finally {
      List<CompletableFuture<?>> stops = new ArrayList<>();
      for (Control c : controls) {
        stops.add(c.shutdown().toCompletableFuture());
      }
      CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      for (int i = 0; i < n; i++) {
        String slot = "idle_" + n + "_" + i;
        db.dropSlot(slot);
        db.execute("DROP PUBLICATION " + slot + "_pub");
      }
    }
  }

  /** {@code pg_recvlogical} on one quiet slot, its own CPU; empty when it is not installed. */
  Optional<Result> pgRecvlogical(int seconds) throws Exception {
    Optional<Path> bin = recvlogical();
    if (bin.isEmpty()) {
      log.println("idle pg_recvlogical: not installed, skipped");
      return Optional.empty();
    }
    String slot = "idle_recvlogical";
    db.execute("CREATE TABLE IF NOT EXISTS idle_t (id bigint primary key, note text)");
    db.execute("CREATE PUBLICATION " + slot + "_pub FOR TABLE idle_t");
    db.createSlot(slot);
    ProcessBuilder pb =
        new ProcessBuilder(
                bin.get().toString(),
                "-h",
                db.pg.host(),
                "-p",
                Integer.toString(db.pg.port()),
                "-U",
                db.pg.superuser(),
                "-d",
                "postgres",
                "--slot=" + slot,
                "--start",
                "-o",
                "proto_version=1",
                "-o",
                "publication_names=" + slot + "_pub",
                "-f",
                "/dev/null")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("PGPASSWORD", db.pg.superuserPassword());
    Process p = pb.start();
    try {
      db.pg.waitForActiveWalsender(slot, Duration.ofSeconds(30));
      Thread.sleep(3000);
      if (!p.isAlive()) {
        throw new IllegalStateException("pg_recvlogical exited with " + p.exitValue());
      }
      long before = ProcStat.cpuNanos(p.pid());
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      long cpu = ProcStat.cpuNanos(p.pid()) - before;
      Result r = new Result(1, (System.nanoTime() - t0) / 1e9, cpu / 1e9);
      log.printf(
          "idle pg_recvlogical (%s): %.2f s CPU in %.0f s%n", bin.get(), r.cpuSeconds, r.seconds);
      return Optional.of(r);
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
      db.dropSlot(slot);
      db.execute("DROP PUBLICATION " + slot + "_pub");
    }
  }

  private Result measure(int sources, int seconds) throws InterruptedException {
    long pid = ProcessHandle.current().pid();
    java.lang.management.ThreadMXBean threads =
        java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<Long, Long> threadsBefore = threadCpu(threads);
    long before = ProcStat.cpuNanos(pid);
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long cpu = ProcStat.cpuNanos(pid) - before;
    Result r = new Result(sources, (System.nanoTime() - t0) / 1e9, cpu / 1e9);
    // Where it went: the busiest Java threads over the window (the rest of the process's CPU is
    // the JVM's own: JIT compiler and GC threads, which this bean does not list).
    java.util.Map<Long, Long> threadsAfter = threadCpu(threads);
    long javaThreads = 0;
    List<long[]> deltas = new ArrayList<>();
    for (var e : threadsAfter.entrySet()) {
      long d = e.getValue() - threadsBefore.getOrDefault(e.getKey(), 0L);
      javaThreads += d;
      deltas.add(new long[] {e.getKey(), d});
    }
    deltas.sort((a, b) -> Long.compare(b[1], a[1]));
    StringBuilder top = new StringBuilder();
    for (int i = 0; i < Math.min(5, deltas.size()); i++) {
      java.lang.management.ThreadInfo info = threads.getThreadInfo(deltas.get(i)[0]);
      top.append(
          String.format(
              java.util.Locale.ROOT,
              " %s %.0f ms;",
              info == null ? "?" : info.getThreadName(),
              deltas.get(i)[1] / 1e6));
    }
    log.printf(
        "  (java threads %.0f ms of %.0f ms; busiest:%s)%n", javaThreads / 1e6, cpu / 1e6, top);
    return r;
  }

  private static java.util.Map<Long, Long> threadCpu(java.lang.management.ThreadMXBean threads) {
    java.util.Map<Long, Long> m = new java.util.HashMap<>();
    for (long id : threads.getAllThreadIds()) {
      long t = threads.getThreadCpuTime(id);
      if (t >= 0) {
        m.put(id, t);
      }
    }
    return m;
  }

  /** pg_recvlogical of any installed version: the logical protocol has not changed since 10. */
  private static Optional<Path> recvlogical() throws Exception {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (var versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin/pg_recvlogical"))
          .filter(Files::isExecutable)
          .findFirst();
    }
  }
}
