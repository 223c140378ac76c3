package io.slotkeeper.bench;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * Commit-to-delivery latency under a steady write rate: a paced writer commits {@code
 * rowsPerTransaction} rows every {@code periodMillis}; the reader's consumer takes, for each row,
 * the time from the transaction's commit timestamp (set by the server; server and JVM read the same
 * clock here) to the moment the row reaches it. The first {@code warmupSeconds} are not recorded.
 * Each contender gets its own slot and writer, one after the other, so they never share the CPU.
 */
final class LatencyBench {

  /**
   * @param serverSend the same changes' commit to the server's send of their frames, or null (only
   *     {@link ServerSendProbe} sees the send time)
   */
  record Result(
      String contender,
      double writeRate,
      long samples,
      long p50Micros,
      long p99Micros,
      long p999Micros,
      long maxMicros,
      Result serverSend) {

    static Result of(String contender, double writeRate, long[] samples, Result serverSend) {
      long[] s = samples.clone();
      Arrays.sort(s);
      return new Result(
          contender,
          writeRate,
          s.length,
          Stats.percentile(s, 50),
          Stats.percentile(s, 99),
          Stats.percentile(s, 99.9),
          s.length == 0 ? -1 : s[s.length - 1],
          serverSend);
    }

    /** p50, p99, p99.9 and max, in ms, for the log. */
    String figures() {
      return String.format(
          Locale.ROOT,
          "p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms",
          p50Micros / 1e3,
          p99Micros / 1e3,
          p999Micros / 1e3,
          maxMicros / 1e3);
    }
  }

  private final BenchDb db;
  private final PrintStream log;

  LatencyBench(BenchDb db, PrintStream log) {
    this.db = db;
    this.log = log;
  }

  /**
   * @param warmupSeconds written before recording starts, at least
   * @param jitQuietMaxSeconds after the warm-up, recording waits up to this long for the JIT to go
   *     quiet ({@link JitQuiet}); 0 for no wait
   */
  Result run(
      Contender c,
      int rowsPerTransaction,
      long periodMillis,
      int warmupSeconds,
      int jitQuietMaxSeconds,
      int seconds)
      throws Exception {
    // One table, slot and publication per contender, named after it (dropped after its run).
    String table = "lat_" + c.name().replaceAll("[^a-z0-9]", "_");
    String slot = table + "_slot";
    String pub = table + "_pub";
    db.execute("CREATE TABLE " + table + " (id bigint, a int, b int, note text)");
    db.execute("CREATE PUBLICATION " + pub + " FOR TABLE " + table);
    db.createSlot(slot);
    Counter counter = new Counter(Long.MAX_VALUE, true);
    Contender.Running running = c.start(db, slot, pub, counter, false);
    double rate;
    try {
      PacedWriter writer = new PacedWriter(db, table, rowsPerTransaction, periodMillis);
      try {
        Thread.sleep(warmupSeconds * 1000L);
        long jitWait = JitQuiet.await(2_000, 5, jitQuietMaxSeconds * 1000L);
        log.printf(
            "latency %-16s recording after %d s of warm-up and %.1f s more for the JIT to go"
                + " quiet%n",
            c.name(), warmupSeconds, jitWait / 1e3);
        counter.recordLatencyFrom(SlotkeeperContender.micros(Instant.now()));
        Thread.sleep(seconds * 1000L);
        counter.stopRecording();
      } finally {
        writer.close();
      }
      rate = writer.achievedRate();
      if (writer.failure() != null) {
        throw new IllegalStateException("writer failed", writer.failure());
      }
      if (running.failure() != null) {
        throw new IllegalStateException(c.name() + " failed", running.failure());
      }
    } finally {
      running.close();
      db.dropSlot(slot);
      db.execute("DROP PUBLICATION " + pub);
      db.execute("DROP TABLE " + table);
    }
    long[] server = counter.serverSamples();
    Result r =
        Result.of(
            c.name(),
            rate,
            counter.latencySamples(),
            server.length == 0 ? null : Result.of(c.name() + " to send", rate, server, null));
    log.printf(
        "latency %-16s at %,.0f rows/s: %,d samples, %s%n",
        c.name(), rate, r.samples(), r.figures());
    if (r.serverSend() != null) {
      log.printf(
          "latency %-16s of which commit to the server's send: %s%n",
          c.name(), r.serverSend().figures());
    }
    return r;
  }
}
