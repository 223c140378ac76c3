package io.slotkeeper.bench;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Catch-up throughput: a backlog of row changes is committed while nobody reads, then each
 * contender drains it from its own slot. All slots are created before the backlog, at the same
 * point, so every run reads exactly the same WAL. Runs alternate between the contenders (ABBA...)
 * so slow drift of the machine's load hits both alike; the figure per contender is the median.
 *
 * <p>The clock runs from just before the reader connects (both pay for their connection setup) to
 * the Commit that follows the backlog's last change.
 */
final class CatchUpBench {

  /** Events/s of each run, per contender, in run order. */
  record Result(
      String variant,
      long events,
      int transactionRows,
      double writeSeconds,
      Map<String, List<Double>> eventsPerSecond,
      Map<String, List<Double>> walsenderBusy,
      Map<String, List<Double>> clientCpuMicrosPerChange,
      Map<String, List<Double>> steadyEventsPerSecond,
      Map<String, List<Double>> peakRssBytes) {
    double median(String contender) {
      return median(eventsPerSecond, contender);
    }

    static double median(Map<String, List<Double>> m, String contender) {
      return Stats.median(m.get(contender).stream().mapToDouble(Double::doubleValue).toArray());
    }
  }

  /**
   * One drain: seconds from start to the last change, the walsender's on-CPU share, the client's
   * CPU µs per change from its first change (or output) on, changes/s from the first change on, and
   * the client's peak RSS (child processes only, else 0).
   */
  private record Drained(
      double seconds, double busy, double cpuPerChange, double steadyRate, long peakRss) {}

  /**
   * A child-process contender started on a slot with nothing to read: its resident memory (VmRSS)
   * and CPU share over {@code seconds} once it has run for as long again.
   */
  record Idle(long rssBytes, double cpuShare) {}

  private final BenchDb db;
  private final List<Contender> contenders;
  private final PrintStream log;

  CatchUpBench(BenchDb db, List<Contender> contenders, PrintStream log) {
    this.db = db;
    this.contenders = contenders;
    this.log = log;
  }

  /**
   * One unmeasured drain of a small backlog per contender: JIT, page cache and connections warm.
   */
  void warmUp(int rows) throws Exception {
    db.execute("CREATE TABLE warm (id bigint PRIMARY KEY, a int, b int, note text)");
    db.execute("CREATE PUBLICATION warm_pub FOR TABLE warm");
    for (Contender c : contenders) {
      db.createSlot(slot("warm", c, 0));
    }
    writeInserts("warm", "insert", rows, 1000);
    for (Contender c : contenders) {
      drain(c, slot("warm", c, 0), "warm_pub", rows);
    }
    db.execute("DROP PUBLICATION warm_pub");
    db.execute("DROP TABLE warm");
  }

  /**
   * @param variant "insert" (inserts only) or "mixed" (per transaction 50% inserts, 30% updates,
   *     20% deletes)
   */
  Result run(String variant, int events, int transactionRows, int runs) throws Exception {
    String table = "cu_" + variant;
    String pub = table + "_pub";
    db.execute(ddl(variant, table));
    db.execute("CREATE PUBLICATION " + pub + " FOR TABLE " + table);
    int transactions = events / transactionRows;
    int ins = transactionRows / 2;
    int upd = transactionRows * 3 / 10;
    int del = transactionRows - ins - upd;
    if (variant.equals("mixed")) {
      // Rows to update and delete exist before the slots, so seeding is not part of the stream.
      long seed = (long) transactions * (upd + del);
      db.execute(
          "INSERT INTO "
              + table
              + " SELECT g, g % 1000, g * 2, 'row ' || g FROM generate_series(1, "
              + seed
              + ") g");
      db.execute("VACUUM ANALYZE " + table);
    }
    for (int r = 0; r < runs; r++) {
      for (Contender c : contenders) {
        db.createSlot(slot(table, c, r));
      }
    }

    long t0 = System.nanoTime();
    if (variant.equals("mixed")) {
      writeMixed(table, transactions, ins, upd, del);
    } else {
      writeInserts(table, variant, events, transactionRows);
    }
    double writeSeconds = (System.nanoTime() - t0) / 1e9;
    long total = (long) transactions * transactionRows;
    log.printf(
        "catch-up %s: backlog of %,d changes in %,d transactions written in %.1f s, WAL end %s%n",
        variant, total, transactions, writeSeconds, db.currentLsn());

    Map<String, List<Double>> rates = new LinkedHashMap<>();
    Map<String, List<Double>> busy = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    Map<String, List<Double>> steady = new LinkedHashMap<>();
    Map<String, List<Double>> rss = new LinkedHashMap<>();
    for (Contender c : contenders) {
      rates.put(c.name(), new ArrayList<>());
      busy.put(c.name(), new ArrayList<>());
      cpu.put(c.name(), new ArrayList<>());
      steady.put(c.name(), new ArrayList<>());
      rss.put(c.name(), new ArrayList<>());
    }
    for (int r = 0; r < runs; r++) {
      List<Contender> order = new ArrayList<>(contenders);
      if (r % 2 == 1) {
        java.util.Collections.reverse(order);
      }
      for (Contender c : order) {
        Drained d = drain(c, slot(table, c, r), pub, total);
        double rate = total / d.seconds();
        rates.get(c.name()).add(rate);
        busy.get(c.name()).add(d.busy());
        cpu.get(c.name()).add(d.cpuPerChange());
        steady.get(c.name()).add(d.steadyRate());
        rss.get(c.name()).add((double) d.peakRss());
        log.printf(
            "catch-up %s run %d %-18s %,10.0f changes/s (%.2f s; walsender on CPU %.0f%%;"
                + " client CPU %.2f µs/change; from first change %,.0f/s; peak RSS %.0f MiB)%n",
            variant,
            r + 1,
            c.name(),
            rate,
            d.seconds(),
            d.busy() * 100,
            d.cpuPerChange(),
            d.steadyRate(),
            d.peakRss() / 1048576.0);
      }
    }
    db.execute("DROP PUBLICATION " + pub);
    db.execute("DROP TABLE " + table);
    return new Result(variant, total, transactionRows, writeSeconds, rates, busy, cpu, steady, rss);
  }

  private Drained drain(Contender c, String slot, String pub, long expected) throws Exception {
    Counter counter = new Counter(expected, false);
    // In-process contenders: this JVM is the client. Its CPU is sampled on the reader's thread as
    // the first change arrives, so start-up and connecting are not counted, as for the children.
    long self = ProcessHandle.current().pid();
    long[] first = new long[2];
    counter.onFirstChange(
        () -> {
          first[0] = ProcStat.cpuNanos(self);
          first[1] = System.nanoTime();
        });
    long t0 = System.nanoTime();
    Contender.Running running = c.start(db, slot, pub, counter, false);
    long end;
    double busy;
    long clientCpu;
    long peakRss = 0;
    long firstAt;
    try {
      // Whether the server or the client is the bottleneck: a walsender that is on a CPU nearly all
      // the time is the limit; one that is often off it waits for its client (or for the machine).
      long pid = walsenderPid(slot, running);
      long c0 = ProcStat.cpuNanos(pid);
      long w0 = System.nanoTime();
      end = Drain.await(running, counter, 900);
      busy = (double) (ProcStat.cpuNanos(pid) - c0) / (end - w0);
      if (running instanceof ChildProcess child) {
        clientCpu = ProcStat.cpuNanos(child.pid()) - child.firstOutputCpuNanos();
        firstAt = child.firstOutputAtNanos();
        peakRss = ProcStat.statusBytes(child.pid(), "VmHWM");
      } else {
        clientCpu = ProcStat.cpuNanos(self) - first[0];
        firstAt = first[1];
      }
    } finally {
      running.close();
      db.dropSlot(slot);
    }
    if (counter.changes() != expected) {
      throw new IllegalStateException(
          c.name() + " saw " + counter.changes() + " changes, expected " + expected);
    }
    return new Drained(
        (end - t0) / 1e9,
        busy,
        clientCpu / 1e3 / expected,
        expected / ((end - firstAt) / 1e9),
        peakRss);
  }

  /**
   * The walsender serving {@code slot}, once the reader (maybe a process still starting) has one.
   */
  private long walsenderPid(String slot, Contender.Running running) {
    // One connection for the whole wait (PostgresServer's): this runs while the contender starts
    // (a child's JVM for seconds), and a fresh connection every 5 ms (a backend forked, SCRAM's key
    // derivation on both sides) kept a core of the two busy, which the contender's start paid for.
    return db.pg.waitForActiveWalsender(
        slot,
        Duration.ofSeconds(120),
        Duration.ofMillis(5),
        () -> {
          Throwable failure = running.failure();
          if (failure != null) {
            throw new IllegalStateException("reader failed before streaming", failure);
          }
        });
  }

  /**
   * {@code c} (a child process) on a fresh slot with nothing to read: after {@code seconds} its
   * VmRSS, and its CPU share over the following {@code seconds}.
   */
  Idle idle(Contender c, int seconds) throws Exception {
    db.execute("CREATE TABLE IF NOT EXISTS idle_t (id bigint PRIMARY KEY)");
    db.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'idle_pub')"
            + " THEN CREATE PUBLICATION idle_pub FOR TABLE idle_t; END IF; END $$");
    String slot = slot("idle", c, 0);
    db.createSlot(slot);
    Counter counter = new Counter(Long.MAX_VALUE, false);
    Contender.Running running = c.start(db, slot, "idle_pub", counter, false);
    try {
      if (!(running instanceof ChildProcess child)) {
        throw new IllegalArgumentException(c.name() + " does not run as its own process");
      }
      walsenderPid(slot, running);
      Thread.sleep(seconds * 1000L);
      long cpu0 = ProcStat.cpuNanos(child.pid());
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      double share = (double) (ProcStat.cpuNanos(child.pid()) - cpu0) / (System.nanoTime() - t0);
      return new Idle(ProcStat.statusBytes(child.pid(), "VmRSS"), share);
    } finally {
      running.close();
      db.dropSlot(slot);
    }
  }

  private void writeInserts(String table, String variant, long rows, int perTransaction)
      throws Exception {
    try (Connection conn = db.connect();
        Statement st = conn.createStatement()) {
      for (long from = 1; from <= rows; from += perTransaction) {
        long to = Math.min(rows, from + perTransaction - 1);
        st.execute("INSERT INTO " + table + " " + rows(variant, from, to));
      }
    }
  }

  private void writeMixed(String table, int transactions, int ins, int upd, int del)
      throws Exception {
    long updBase = 0;
    long delBase = (long) transactions * upd;
    long insBase = (long) transactions * (upd + del);
    try (Connection conn = db.connect();
        Statement st = conn.createStatement()) {
      conn.setAutoCommit(false);
      for (int i = 0; i < transactions; i++) {
        long u = updBase + (long) i * upd;
        long d = delBase + (long) i * del;
        long n = insBase + (long) i * ins;
        st.execute(
            "INSERT INTO "
                + table
                + " SELECT g, g % 1000, g * 2, 'row ' || g FROM generate_series("
                + (n + 1)
                + ", "
                + (n + ins)
                + ") g");
        st.execute(
            "UPDATE "
                + table
                + " SET a = a + 1, note = note || ' updated' WHERE id BETWEEN "
                + (u + 1)
                + " AND "
                + (u + upd));
        st.execute("DELETE FROM " + table + " WHERE id BETWEEN " + (d + 1) + " AND " + (d + del));
        conn.commit();
      }
    }
  }

  private static String slot(String table, Contender c, int run) {
    return table + "_" + c.name().replaceAll("[^a-z]", "") + run;
  }

  /**
   * The backlog table: four simple columns, or ("typed") the types whose output functions cost the
   * server most (numeric, float8, timestamptz, date, uuid), for the text vs binary comparison.
   */
  private static String ddl(String variant, String table) {
    return variant.equals("typed")
        ? "CREATE TABLE "
            + table
            + " (id bigint PRIMARY KEY, a int, n numeric(14,4), f float8, ts timestamptz,"
            + " d date, u uuid, note text)"
        : "CREATE TABLE " + table + " (id bigint PRIMARY KEY, a int, b int, note text)";
  }

  private static String rows(String variant, long from, long to) {
    return variant.equals("typed")
        ? "SELECT g, g % 1000, g * 1.2345, g / 7.0, timestamptz '2024-01-01 00:00+00' + g *"
            + " interval '1 second', date '2024-01-01' + (g % 1000)::int,"
            + " md5(g::text)::uuid, 'row ' || g FROM generate_series("
            + from
            + ", "
            + to
            + ") g"
        : "SELECT g, g % 1000, g * 2, 'row ' || g FROM generate_series(" + from + ", " + to + ") g";
  }
}
