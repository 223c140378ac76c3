package io.slotkeeper.bench;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Initial-snapshot reading speed: {@code tables} tables of {@code rows / tables} rows each (an int
 * key, a 32-character text, an int), read by a source with {@code slot.snapshot = initial} and 1 or
 * {@code readers} reader connections into a consumer that only counts, against {@code COPY table TO
 * STDOUT} of the same tables, one after another on one connection, through pgjdbc's {@code
 * CopyManager} into a sink that discards (the speed at which the server hands the rows out in its
 * text format, without any parsing into values).
 */
final class SnapshotBench {

  /** Rows per second of one way of reading. */
  record Result(String what, double rowsPerSecond, double seconds) {}

  private final BenchDb db;
  private final ActorSystem<Void> system;
  private final PrintStream log;
  private int run;

  SnapshotBench(BenchDb db, ActorSystem<Void> system, PrintStream log) {
    this.db = db;
    this.system = system;
    this.log = log;
  }

  void setUp(int tables, long rows) {
    StringBuilder names = new StringBuilder();
    for (int t = 0; t < tables; t++) {
      String name = "snap_bench_" + t;
      db.execute("DROP TABLE IF EXISTS " + name);
      db.execute("CREATE TABLE " + name + " (id int PRIMARY KEY, v text, n int)");
      db.execute(
          "INSERT INTO "
              + name
              + " SELECT g, md5(g::text), g FROM generate_series(1, "
              + rows / tables
              + ") g");
      db.execute("VACUUM ANALYZE " + name);
      names.append(t == 0 ? "" : ", ").append(name);
    }
    db.execute("DROP PUBLICATION IF EXISTS snap_bench_pub");
    db.execute("CREATE PUBLICATION snap_bench_pub FOR TABLE " + names);
  }

  Result copy(int tables, long rows) throws Exception {
    OutputStream nothing = OutputStream.nullOutputStream();
    long t0 = System.nanoTime();
    try (Connection c = db.pg.connect()) {
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      for (int t = 0; t < tables; t++) {
        copy.copyOut("COPY snap_bench_" + t + " TO STDOUT", nothing);
      }
    }
    double s = (System.nanoTime() - t0) / 1e9;
    log.printf("snapshot: COPY TO STDOUT of %,d rows in %.2f s%n", rows, s);
    return new Result("COPY", rows / s, s);
  }

  /**
   * {@code psql -c 'COPY table TO STDOUT'} into {@code /dev/null}, the measure of how fast
   * the server hands the rows out; empty when no psql is installed ({@code SLOTKEEPER_PSQL}, else
   * the newest {@code /usr/lib/postgresql/N/bin/psql}).
   */
  java.util.Optional<Result> psql(int tables, long rows) throws Exception {
    java.util.Optional<java.nio.file.Path> psql = PgRecvlogicalContender.clientTool("psql");
    if (psql.isEmpty()) {
      return java.util.Optional.empty();
    }
    long t0 = System.nanoTime();
    for (int t = 0; t < tables; t++) {
      ProcessBuilder pb =
          new ProcessBuilder(
              psql.get().toString(),
              "-X",
              "-q",
              "-h",
              db.pg.host(),
              "-p",
              String.valueOf(db.pg.port()),
              "-U",
              db.pg.superuser(),
              "-d",
              "postgres",
              "-c",
              "COPY snap_bench_" + t + " TO STDOUT");
      pb.environment().put("PGPASSWORD", db.pg.superuserPassword());
      pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.redirectError(ProcessBuilder.Redirect.INHERIT);
      int rc = pb.start().waitFor();
      if (rc != 0) {
        throw new IllegalStateException("psql COPY exited with " + rc);
      }
    }
    double s = (System.nanoTime() - t0) / 1e9;
    log.printf("snapshot: psql COPY TO STDOUT > /dev/null of %,d rows in %.2f s%n", rows, s);
    return java.util.Optional.of(new Result("psql COPY", rows / s, s));
  }

  Result slotkeeper(int readers, long rows) throws Exception {
    return slotkeeper(readers, rows, SlotSettings.SnapshotOrder.STORAGE);
  }

  Result slotkeeper(int readers, long rows, SlotSettings.SnapshotOrder order) throws Exception {
    String slot = "snap_bench_slot_" + (run++);
    AtomicLong got = new AtomicLong();
    long t0 = System.nanoTime();
    Control control =
        ReplicationSource.create(
                db.sourceSettings(slot, "snap_bench_pub")
                    .withCreateSlotIfMissing(true)
                    .withDropSlotOnStop(true)
                    .withSnapshot(SlotSettings.Snapshot.INITIAL)
                    .withSnapshotReaders(readers)
                    .withSnapshotOrder(order))
            .to(
                Sink.foreach(
                    (ChangeEnvelope e) -> {
                      if (e.kind() == ChangeEnvelope.Kind.SNAPSHOT) {
                        got.incrementAndGet();
                      }
                    }))
            .run(system);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (got.get() < rows
        || control.progress().snapshot().state() != SnapshotProgress.State.DONE) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("snapshot did not finish: " + control.progress());
      }
      Thread.sleep(5);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    control.shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
    log.printf(
        "snapshot: %d reader(s), %s order, %,d rows in %.2f s%n", readers, order, got.get(), s);
    return new Result(readers + " reader(s)", rows / s, s);
  }
}
