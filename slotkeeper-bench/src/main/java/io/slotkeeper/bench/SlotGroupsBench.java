package io.slotkeeper.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Issue 17, one database over several slots: the same WAL (four tables, {@code rows} single-row
 * inserts spread over them in transactions of 1,000) read by one {@code pg_recvlogical} on one slot
 * and by Slotkeeper over 1, 2 and 4 slots (a publication per group of tables, as {@link
 * io.slotkeeper.javadsl.SlotGroups} sets them up), one after another. Every slot is created before
 * the writes, so each reader decodes exactly the same WAL. Reported: changes/s from the start to
 * the last change, and each walsender's on-CPU share meanwhile (a share near 100% means the
 * walsender, not the client, bounds the rate: the case several slots are for).
 */
final class SlotGroupsBench {
  private static final int TABLES = 4;
  private final BenchDb db;
  private final ActorSystem<?> system;
  private final PrintStream log;

  record Result(
      String who, int slots, double changesPerSecond, double seconds, double walsenderBusy) {}

  SlotGroupsBench(BenchDb db, ActorSystem<?> system, PrintStream log) {
    this.db = db;
    this.system = system;
    this.log = log;
  }

  /** Tables, publications for 1, 2 and 4 groups, every slot, then the writes. */
  void setUp(long rows) throws Exception {
    for (int t = 0; t < TABLES; t++) {
      db.execute("CREATE TABLE grp_t" + t + " (id bigint PRIMARY KEY, v text)");
      db.execute("CREATE PUBLICATION grp_pub_" + t + " FOR TABLE grp_t" + t);
    }
    db.execute("CREATE PUBLICATION grp_pub_all FOR TABLE grp_t0, grp_t1, grp_t2, grp_t3");
    db.execute("CREATE PUBLICATION grp_pub_01 FOR TABLE grp_t0, grp_t1");
    db.execute("CREATE PUBLICATION grp_pub_23 FOR TABLE grp_t2, grp_t3");
    db.createSlot("grp_recv");
    db.createSlot("grp_one");
    db.createSlot("grp_two_0");
    db.createSlot("grp_two_1");
    for (int t = 0; t < TABLES; t++) {
      db.createSlot("grp_four_" + t);
    }
    long perTable = rows / TABLES;
    // Transactions of 1,000 rows, 250 in each table.
    for (long from = 1; from <= perTable; from += 250) {
      long to = Math.min(perTable, from + 249);
      String[] statements = new String[TABLES];
      for (int t = 0; t < TABLES; t++) {
        statements[t] =
            "INSERT INTO grp_t"
                + t
                + " SELECT g, md5(g::text) FROM generate_series("
                + from
                + ", "
                + to
                + ") g";
      }
      // Each transaction writes all four tables: with several slots it is split per group.
      db.inTransaction(statements);
    }
  }

  /** Rows the writes inserted: what every reader must receive. */
  long expected() {
    long n = 0;
    for (int t = 0; t < TABLES; t++) {
      n += db.pg.queryLong("SELECT count(*) FROM grp_t" + t);
    }
    return n;
  }

  Optional<Result> pgRecvlogical(long expected) throws Exception {
    Optional<java.nio.file.Path> binary = PgRecvlogicalContender.installed();
    if (binary.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        run(
            "pg_recvlogical",
            new PgRecvlogicalContender(binary.get()),
            List.of("grp_recv"),
            List.of("grp_pub_all"),
            expected));
  }

  Result slotkeeper(int slots, long expected) throws Exception {
    List<String> names;
    List<String> pubs;
    switch (slots) {
      case 1 -> {
        names = List.of("grp_one");
        pubs = List.of("grp_pub_all");
      }
      case 2 -> {
        names = List.of("grp_two_0", "grp_two_1");
        pubs = List.of("grp_pub_01", "grp_pub_23");
      }
      default -> {
        names = List.of("grp_four_0", "grp_four_1", "grp_four_2", "grp_four_3");
        pubs = List.of("grp_pub_0", "grp_pub_1", "grp_pub_2", "grp_pub_3");
      }
    }
    return run("slotkeeper", new SlotkeeperContender(system), names, pubs, expected);
  }

  private Result run(
      String who, Contender contender, List<String> slots, List<String> pubs, long expected)
      throws Exception {
    AtomicLong changes = new AtomicLong();
    Contender.Listener listener =
        new Contender.Listener() {
          @Override
          public void change(char kind, long commitMicros) {
            changes.incrementAndGet();
          }

          @Override
          public void commit() {}
        };
    List<Contender.Running> running = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      for (int i = 0; i < slots.size(); i++) {
        running.add(contender.start(db, slots.get(i), pubs.get(i), listener, false));
      }
      List<Long> pids = new ArrayList<>();
      List<Long> cpu0 = new ArrayList<>();
      for (String slot : slots) {
        long pid = db.pg.waitForActiveWalsender(slot, java.time.Duration.ofSeconds(120));
        pids.add(pid);
        cpu0.add(ProcStat.cpuNanos(pid));
      }
      long w0 = System.nanoTime();
      long deadline = w0 + 600_000_000_000L;
      while (changes.get() < expected) {
        for (Contender.Running r : running) {
          if (r.failure() != null) {
            throw new IllegalStateException(who + " failed", r.failure());
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              who + " received " + changes.get() + " of " + expected + " changes in 600 s");
        }
        Thread.sleep(2);
      }
      long end = System.nanoTime();
      double busy = 0;
      for (int i = 0; i < pids.size(); i++) {
        busy += (double) (ProcStat.cpuNanos(pids.get(i)) - cpu0.get(i)) / (end - w0);
      }
      double seconds = (end - t0) / 1e9;
      Result r = new Result(who, slots.size(), expected / seconds, seconds, busy / pids.size());
      log.printf(
          Locale.ROOT,
          "slot groups: %s over %d slot(s): %,.0f changes/s (%.2f s; each walsender on CPU %.0f%%)%n",
          who,
          slots.size(),
          r.changesPerSecond(),
          seconds,
          100 * r.walsenderBusy());
      return r;
    } finally {
      for (Contender.Running r : running) {
        r.close();
      }
    }
  }
}
