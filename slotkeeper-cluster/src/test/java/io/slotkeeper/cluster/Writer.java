package io.slotkeeper.cluster;

import io.slotkeeper.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer thread: small transactions of inserts with unique ids into one table, every outcome
 * recorded. A commit that threw may or may not have happened, so its ids go to {@link #uncertain}.
 */
final class Writer implements AutoCloseable {
  final Set<String> committed = ConcurrentHashMap.newKeySet();
  final Set<String> uncertain = ConcurrentHashMap.newKeySet();
  private final PostgresServer pg;
  private final String table;
  private final int rowsPerTransaction;
  private final long pauseMillis;
  private final AtomicLong nextId = new AtomicLong(1);
  private final AtomicLong transactions = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  Writer(PostgresServer pg, String table, int rowsPerTransaction, long pauseMillis) {
    this.pg = pg;
    this.table = table;
    this.rowsPerTransaction = rowsPerTransaction;
    this.pauseMillis = pauseMillis;
    this.thread = new Thread(this::run, "writer-" + table);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  long transactions() {
    return transactions.get();
  }

  private void run() {
    try (Connection c = pg.connect()) {
      c.setAutoCommit(false);
      while (running) {
        List<String> batch = new ArrayList<>();
        try (Statement st = c.createStatement()) {
          for (int i = 0; i < rowsPerTransaction; i++) {
            String id = table + ":" + nextId.getAndIncrement();
            batch.add(id);
            st.addBatch("INSERT INTO " + table + " (id) VALUES ('" + id + "')");
          }
          st.executeBatch();
        }
        try {
          c.commit();
          committed.addAll(batch);
          transactions.incrementAndGet();
        } catch (SQLException e) {
          uncertain.addAll(batch);
          throw e;
        }
        Thread.sleep(pauseMillis);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("the writer failed; the server stays up in these tests", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(30_000);
  }
}
