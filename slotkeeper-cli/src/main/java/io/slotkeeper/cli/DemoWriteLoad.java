package io.slotkeeper.cli;

import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's writer: small transactions of inserts (and an update now and then) at a steady pace,
 * on its own connection, riding through server restarts by reconnecting. It does not keep score: a
 * commit cut off by a restart may or may not have happened, so at the end the table itself says
 * which rows were written.
 */
final class DemoWriteLoad implements AutoCloseable {
  private final PostgresServer pg;
  private final int rowsPerSecond;
  private final AtomicLong nextId = new AtomicLong(1);
  private final AtomicLong committedRows = new AtomicLong();
  private final AtomicLong failedCommits = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;
  private Connection connection;

  DemoWriteLoad(PostgresServer pg, int rowsPerSecond) {
    this(pg, rowsPerSecond, 1);
  }

  /** A writer whose inserted ids start at {@code firstId} (after the rows already there). */
  DemoWriteLoad(PostgresServer pg, int rowsPerSecond, long firstId) {
    this.nextId.set(firstId);
    this.pg = pg;
    this.rowsPerSecond = rowsPerSecond;
    this.thread = new Thread(this::run, "slotkeeper-demo-load");
    this.thread.setDaemon(true);
  }

  DemoWriteLoad start() {
    thread.start();
    return this;
  }

  /** Rows in transactions whose commit returned successfully. */
  long committedRows() {
    return committedRows.get();
  }

  long failedCommits() {
    return failedCommits.get();
  }

  private void run() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long started = System.nanoTime();
    long rows = 0;
    while (running) {
      int n = 1 + random.nextInt(5);
      try {
        Connection c = connection();
        try (PreparedStatement ins =
            c.prepareStatement(
                "INSERT INTO demo_orders (id, customer, amount, note) VALUES (?, ?, ?, ?)")) {
          for (int i = 0; i < n; i++) {
            long id = nextId.getAndIncrement();
            ins.setLong(1, id);
            ins.setString(2, "customer-" + (id % 97));
            ins.setBigDecimal(3, java.math.BigDecimal.valueOf(random.nextInt(1, 100_000), 2));
            // Every 7th row has no note: NULLs travel too.
            ins.setString(4, id % 7 == 0 ? null : "order " + id);
            ins.addBatch();
          }
          ins.executeBatch();
        }
        if (random.nextInt(5) == 0 && nextId.get() > 10) {
          try (PreparedStatement upd =
              c.prepareStatement("UPDATE demo_orders SET note = note || ' (paid)' WHERE id = ?")) {
            upd.setLong(1, random.nextLong(1, nextId.get()));
            upd.executeUpdate();
          }
        }
        c.commit();
        committedRows.addAndGet(n);
        rows += n;
      } catch (SQLException | RuntimeException | AssertionError e) {
        // The server restarts under us on purpose: drop the connection, wait a moment, go on.
        // (AssertionError: pgjdbc asserts on some broken-connection paths when run with -ea.)
        failedCommits.incrementAndGet();
        closeConnection();
        sleep(200);
        continue;
      }
      // Pace to rowsPerSecond on average.
      long due = started + rows * 1_000_000_000L / rowsPerSecond;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        sleep(wait / 1_000_000L);
      }
    }
    closeConnection();
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = pg.connect();
      connection.setAutoCommit(false);
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // a broken connection: closed either way
      }
      connection = null;
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops writing and waits for the last transaction to finish. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }
}
