package io.slotkeeper.bench;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.TupleData;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Where a snapshot reader's time goes, one way of reading at a time on one table (not part of the
 * report; {@code java -cp ... io.slotkeeper.bench.SnapshotReadProbe [rows] [chunk]}): COPY of the
 * whole table into nothing, keyset SELECT chunks through a ResultSet into values, keyset {@code
 * COPY (SELECT ...)} chunks into nothing and parsed into values, and the engine with one reader.
 */
public final class SnapshotReadProbe {
  private SnapshotReadProbe() {}

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int chunk = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    String only = args.length > 2 ? args[2] : "all";
    try (BenchDb db = new BenchDb(17)) {
      db.execute("CREATE TABLE probe (id int PRIMARY KEY, v text, n int)");
      db.execute(
          "INSERT INTO probe SELECT g, md5(g::text), g FROM generate_series(1, " + rows + ") g");
      db.execute("VACUUM ANALYZE probe");
      db.execute("CREATE PUBLICATION probe_pub FOR TABLE probe");
      ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "probe");
      try {
        for (int round = 0; round < 2; round++) {
          if (only.equals("engine")) {
            int r = round;
            time("engine, 1 reader", rows, () -> engine(db, system, rows, r));
            continue;
          }
          time("COPY probe TO STDOUT -> null", rows, () -> copyAll(db));
          time("keyset SELECT -> ResultSet.getString -> values", rows, () -> select(db, chunk));
          time("keyset COPY (SELECT) -> null", rows, () -> copyKeyset(db, chunk, false));
          time("keyset COPY (SELECT) -> parsed values", rows, () -> copyKeyset(db, chunk, true));
          time(
              "COPY (SELECT cols FROM probe) -> parsed",
              rows,
              () -> copyQuery(db, "SELECT id, v, n FROM probe"));
          time(
              "COPY (SELECT cols ORDER BY id) -> parsed",
              rows,
              () -> copyQuery(db, "SELECT id, v, n FROM probe ORDER BY id"));
          time(
              "keyset COPY (SELECT) chunk*5 -> parsed",
              rows,
              () -> copyKeyset(db, chunk * 5, true));
          int r = round;
          if (!only.equals("jdbc")) {
            time("engine, 1 reader", rows, () -> engine(db, system, rows, r));
          }
        }
      } finally {
        system.terminate();
      }
    }
  }

  interface Body {
    long run() throws Exception;
  }

  static void time(String what, long rows, Body b) throws Exception {
    long t0 = System.nanoTime();
    long got = b.run();
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%-50s %,10d rows %6.2f s %,12.0f rows/s%n", what, got, s, got / s);
  }

  static long copyAll(BenchDb db) throws Exception {
    try (Connection c = db.connect()) {
      return c.unwrap(PGConnection.class)
          .getCopyAPI()
          .copyOut("COPY probe TO STDOUT", OutputStream.nullOutputStream());
    }
  }

  static long select(BenchDb db, int chunk) throws Exception {
    long n = 0;
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      String last = null;
      while (true) {
        String sql =
            "SELECT id, v, n, id FROM probe"
                + (last == null ? "" : " WHERE (id) > (?::int)")
                + " ORDER BY id LIMIT "
                + chunk;
        int got = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          if (last != null) {
            ps.setString(1, last);
          }
          try (ResultSet rs = ps.executeQuery()) {
            List<TupleData> out = new ArrayList<>(chunk);
            while (rs.next()) {
              ColumnValue[] v = new ColumnValue[3];
              for (int i = 0; i < 3; i++) {
                String s = rs.getString(i + 1);
                v[i] = s == null ? ColumnValue.NULL : ColumnValue.text(s);
              }
              out.add(TupleData.of(v));
              last = rs.getString(4);
              got++;
            }
          }
        }
        n += got;
        if (got < chunk) {
          return n;
        }
      }
    }
  }

  static long copyKeyset(BenchDb db, int chunk, boolean parse) throws Exception {
    long n = 0;
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (Statement st = c.createStatement()) {
        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
      }
      String last = null;
      var copy = c.unwrap(PGConnection.class).getCopyAPI();
      while (true) {
        String sql =
            "COPY (SELECT id, v, n FROM probe"
                + (last == null ? "" : " WHERE (id) > ('" + last + "'::int)")
                + " ORDER BY id LIMIT "
                + chunk
                + ") TO STDOUT";
        int got = 0;
        if (!parse) {
          got = (int) copy.copyOut(sql, OutputStream.nullOutputStream());
          last = String.valueOf(n + got); // ids are 1..rows
        } else {
          CopyOut out = copy.copyOut(sql);
          List<TupleData> rowsOut = new ArrayList<>(chunk);
          byte[] row;
          while ((row = out.readFromCopy()) != null) {
            TupleData t = parseRow(row, 3);
            rowsOut.add(t);
            last = t.get(0).text();
            got++;
          }
        }
        n += got;
        if (got < chunk) {
          return n;
        }
      }
    }
  }

  static long copyQuery(BenchDb db, String query) throws Exception {
    long n = 0;
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      CopyOut out =
          c.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY (" + query + ") TO STDOUT");
      byte[] row;
      while ((row = out.readFromCopy()) != null) {
        parseRow(row, 3);
        n++;
      }
    }
    return n;
  }

  /**
   * A rough COPY text row split (no escapes in this table): the cost of the shape, not the rules.
   */
  static TupleData parseRow(byte[] row, int columns) {
    ColumnValue[] v = new ColumnValue[columns];
    int start = 0;
    int end = row.length - 1; // newline
    int col = 0;
    for (int i = 0; i <= end; i++) {
      if (i == end || row[i] == '\t') {
        byte[] f = java.util.Arrays.copyOfRange(row, start, i);
        v[col++] =
            f.length == 2 && f[0] == '\\' && f[1] == 'N' ? ColumnValue.NULL : ColumnValue.text(f);
        start = i + 1;
      }
    }
    return TupleData.of(v);
  }

  static long engine(BenchDb db, ActorSystem<Void> system, long rows, int round) throws Exception {
    AtomicLong got = new AtomicLong();
    AtomicLong firstAt = new AtomicLong();
    long t0 = System.nanoTime();
    Control control =
        ReplicationSource.create(
                db.sourceSettings("probe_slot_" + round, "probe_pub")
                    .withCreateSlotIfMissing(true)
                    .withDropSlotOnStop(true)
                    .withSnapshot(SlotSettings.Snapshot.INITIAL)
                    .withSnapshotReaders(1))
            .to(
                Sink.foreach(
                    (ChangeEnvelope e) -> {
                      if (e.kind() == ChangeEnvelope.Kind.SNAPSHOT) {
                        if (got.incrementAndGet() == 1) {
                          firstAt.set(System.nanoTime());
                        }
                      }
                    }))
            .run(system);
    while (got.get() < rows
        || control.progress().snapshot().state() != SnapshotProgress.State.DONE) {
      Thread.sleep(2);
    }
    long n = got.get();
    long t1 = System.nanoTime();
    System.out.printf(
        "  engine: first row after %.2f s; rows at %,.0f rows/s from first to last%n",
        (firstAt.get() - t0) / 1e9, n / ((t1 - firstAt.get()) / 1e9));
    control.shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return n;
  }
}
