package io.slotkeeper.bench;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * One large transaction, streaming off and then on (issue 15): a live source on a fresh slot waits,
 * one transaction inserts {@code rows} rows and commits, and the clock stops when its Commit
 * reaches the consumer. Figures per mode: COMMIT (returned to the writer) → last change delivered,
 * BEGIN → last change delivered (end to end), the slot's {@code spill_bytes} and {@code
 * stream_bytes} from pg_stat_replication_slots, and the client's peak heap sampled every 50 ms. The
 * server keeps its default logical_decoding_work_mem (64MB), which such a transaction passes.
 */
final class LargeTransactionBench {

  record Result(
      String mode,
      long rows,
      double commitToLastSeconds,
      double endToEndSeconds,
      long spillBytes,
      long streamBytes,
      long peakHeapBytes) {}

  private final BenchDb db;
  private final ActorSystem<?> system;
  private final PrintStream log;

  LargeTransactionBench(BenchDb db, ActorSystem<?> system, PrintStream log) {
    this.db = db;
    this.system = system;
    this.log = log;
  }

  Result run(StreamSettings.Streaming mode, long rows) throws Exception {
    String name = "lt_" + mode.name().toLowerCase(java.util.Locale.ROOT);
    db.execute("CREATE TABLE " + name + " (id bigint PRIMARY KEY, a int, note text)");
    db.execute("CREATE PUBLICATION " + name + "_pub FOR TABLE " + name);
    db.createSlot(name + "_slot");
    SourceSettings settings = db.sourceSettings(name + "_slot", name + "_pub").withStreaming(mode);
    AtomicLong inserts = new AtomicLong();
    CompletableFuture<Long> lastDelivered = new CompletableFuture<>();
    Control control =
        ReplicationSource.create(settings)
            .to(
                Sink.foreach(
                    (ChangeEnvelope e) -> {
                      if (e.kind() == ChangeEnvelope.Kind.INSERT) {
                        inserts.incrementAndGet();
                      } else if (e.isCommit() && inserts.get() >= rows) {
                        lastDelivered.complete(System.nanoTime());
                      }
                      e.committableOffset().commit();
                    }))
            .run(system);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    AtomicLong peakHeap = new AtomicLong();
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    try {
      control
          .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(60))
          .toCompletableFuture()
          .get(70, TimeUnit.SECONDS);
      System.gc();
      sampler.start();
      long begin;
      long committed;
      try (Connection c = db.pg.connect();
          Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        begin = System.nanoTime();
        s.execute(
            "INSERT INTO "
                + name
                + " SELECT g, g % 1000, 'row ' || g FROM generate_series(1, "
                + rows
                + ") g");
        c.commit();
        committed = System.nanoTime();
      }
      long last = lastDelivered.get(30, TimeUnit.MINUTES);
      sampler.interrupt();
      long spill =
          db.pg.queryLong(
              "SELECT coalesce(sum(spill_bytes), 0) FROM pg_stat_replication_slots WHERE slot_name = '"
                  + name
                  + "_slot'");
      long stream =
          db.pg.queryLong(
              "SELECT coalesce(sum(stream_bytes), 0) FROM pg_stat_replication_slots WHERE slot_name = '"
                  + name
                  + "_slot'");
      Result r =
          new Result(
              mode.name().toLowerCase(java.util.Locale.ROOT),
              rows,
              (last - committed) / 1e9,
              (last - begin) / 1e9,
              spill,
              stream,
              peakHeap.get());
      log.printf(
          "large transaction, streaming %s: %,d rows, COMMIT→last %.2f s, end to end %.2f s,"
              + " spill_bytes %,d, stream_bytes %,d, peak heap %,d MB%n",
          r.mode(),
          rows,
          r.commitToLastSeconds(),
          r.endToEndSeconds(),
          spill,
          stream,
          r.peakHeapBytes() >> 20);
      return r;
    } finally {
      sampler.interrupt();
      control.shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
      db.dropSlot(name + "_slot");
      db.execute("DROP PUBLICATION " + name + "_pub");
      db.execute("DROP TABLE " + name);
    }
  }
}
