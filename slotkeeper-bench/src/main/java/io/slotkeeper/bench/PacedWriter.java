package io.slotkeeper.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes a steady load: every {@code periodMillis} one transaction (one INSERT statement in
 * autocommit) of {@code rowsPerTransaction} rows. At a fixed rate, so a tick that ran late is
 * followed by quicker ones and the average rate holds. {@link #committedRows()} counts rows whose
 * commit has returned.
 */
final class PacedWriter implements AutoCloseable {
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "paced-writer");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong committed = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Connection connection;
  private final PreparedStatement insert;
  private final int rows;
  private long nextId = 1;
  private final long startedNanos;
  private volatile long stoppedNanos;

  PacedWriter(BenchDb db, String table, int rowsPerTransaction, long periodMillis)
      throws SQLException {
    this.rows = rowsPerTransaction;
    this.connection = db.connect();
    this.insert =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " (id, a, b, note) SELECT g, g % 1000, g * 2, 'row ' || g FROM generate_series(?::bigint, ?::bigint) g");
    this.startedNanos = System.nanoTime();
    timer.scheduleAtFixedRate(this::tick, 0, periodMillis, TimeUnit.MILLISECONDS);
  }

  private void tick() {
    try {
      insert.setLong(1, nextId);
      insert.setLong(2, nextId + rows - 1);
      insert.executeUpdate();
      nextId += rows;
      committed.addAndGet(rows);
    } catch (Throwable t) {
      failure.compareAndSet(null, t);
      throw new IllegalStateException(t);
    }
  }

  long committedRows() {
    return committed.get();
  }

  /** Rows per second actually committed since the start. */
  double achievedRate() {
    long end = stoppedNanos != 0 ? stoppedNanos : System.nanoTime();
    return committed.get() / ((end - startedNanos) / 1e9);
  }

  Throwable failure() {
    return failure.get();
  }

  /** Stops writing; afterwards {@link #committedRows()} is final. */
  @Override
  public void close() throws Exception {
    timer.shutdown();
    timer.awaitTermination(30, TimeUnit.SECONDS);
    stoppedNanos = System.nanoTime();
    connection.close();
  }
}
