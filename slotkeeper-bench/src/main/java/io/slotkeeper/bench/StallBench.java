package io.slotkeeper.bench;

import java.io.PrintStream;

/**
 * What a consumer stall costs: under a steady write load the consumer stops taking changes for
 * {@code stallSeconds} and then resumes. Reported: the backlog at the moment of resuming (rows
 * committed but not yet delivered) and the time from resuming until every row committed by that
 * moment has been delivered, while the writer keeps writing.
 */
final class StallBench {

  record Result(String contender, long backlogRows, double catchUpSeconds, double drainRate) {}

  private final BenchDb db;
  private final PrintStream log;

  StallBench(BenchDb db, PrintStream log) {
    this.db = db;
    this.log = log;
  }

  Result run(
      Contender c, int rowsPerTransaction, long periodMillis, int warmupSeconds, int stallSeconds)
      throws Exception {
    String table = "stall_" + (c instanceof SlotkeeperContender ? "sk" : "bl");
    String slot = table + "_slot";
    String pub = table + "_pub";
    db.execute("CREATE TABLE " + table + " (id bigint, a int, b int, note text)");
    db.execute("CREATE PUBLICATION " + pub + " FOR TABLE " + table);
    db.createSlot(slot);
    Counter counter = new Counter(Long.MAX_VALUE, false);
    Contender.Running running = c.start(db, slot, pub, counter, true);
    Result result;
    try (PacedWriter writer = new PacedWriter(db, table, rowsPerTransaction, periodMillis)) {
      Thread.sleep(warmupSeconds * 1000L);
      running.stall();
      Thread.sleep(stallSeconds * 1000L);
      long target = writer.committedRows();
      long backlog = target - counter.changes();
      long t0 = System.nanoTime();
      running.resume();
      long deadline = t0 + 300_000_000_000L;
      while (counter.changes() < target) {
        if (running.failure() != null) {
          throw new IllegalStateException(c.name() + " failed", running.failure());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(c.name() + " did not catch up in 300 s");
        }
        Thread.sleep(1);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      result = new Result(c.name(), backlog, seconds, backlog / seconds);
    } finally {
      running.close();
      db.dropSlot(slot);
      db.execute("DROP PUBLICATION " + pub);
      db.execute("DROP TABLE " + table);
    }
    log.printf(
        "stall %-16s %d s stall: backlog %,d rows, caught up %.2f s after resuming%n",
        c.name(), stallSeconds, result.backlogRows(), result.catchUpSeconds());
    return result;
  }
}
