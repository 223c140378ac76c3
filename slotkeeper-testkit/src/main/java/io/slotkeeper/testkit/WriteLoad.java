package io.slotkeeper.testkit;

import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A writer thread for fault tests (core, cluster and program tests share it): small transactions of
 * inserts with unique ids, spread over several tables, with the outcome of every commit recorded. A
 * commit that threw may or may not have happened (the server can die between committing and
 * answering), so those ids are kept apart: a row may be delivered if it is in {@link #committed()}
 * or {@link #uncertain()}, and must be delivered if it is in {@link #committed()}.
 */
public final class WriteLoad implements AutoCloseable {
  private final Set<String> committed = ConcurrentHashMap.newKeySet();
  private final Set<String> uncertain = ConcurrentHashMap.newKeySet();
  private final PostgresServer pg;
  private final List<String> tables;
  private final int rowsPerTransaction;
  private final long pauseMillis;
  private final AtomicLong nextId = new AtomicLong(1);
  private final AtomicLong transactions = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * Starts writing at once: transactions of {@code rowsPerTransaction} rows into the tables in turn
   * (each needs a text column {@code id}), {@code pauseMillis} apart; ids are "table:n".
   */
  public static WriteLoad start(
      PostgresServer pg, List<String> tables, int rowsPerTransaction, long pauseMillis) {
    return new WriteLoad(pg, tables, rowsPerTransaction, pauseMillis);
  }

  private WriteLoad(
      PostgresServer pg, List<String> tables, int rowsPerTransaction, long pauseMillis) {
    this.pg = pg;
    this.tables = tables;
    this.rowsPerTransaction = rowsPerTransaction;
    this.pauseMillis = pauseMillis;
    this.thread = new Thread(this::run, "write-load");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Ids whose transaction committed. */
  public Set<String> committed() {
    return committed;
  }

  /** Ids whose commit threw: the transaction may or may not have committed. */
  public Set<String> uncertain() {
    return uncertain;
  }

  public long transactions() {
    return transactions.get();
  }

  private void run() {
    Connection c = null;
    while (running) {
      try {
        if (c == null) {
          c = pg.connect();
          c.setAutoCommit(false);
        }
        String table = tables.get((int) (transactions.get() % tables.size()));
        StringBuilder ids = new StringBuilder();
        List<String> batch = new java.util.ArrayList<>();
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
        if (pauseMillis > 0) {
          Thread.sleep(pauseMillis);
        }
      } catch (SQLException e) {
        // The server went away (that is the test's point): reconnect after a moment.
        closeQuietly(c);
        c = null;
        sleep(100);
      } catch (InterruptedException e) {
        break;
      }
    }
    closeQuietly(c);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // already broken
      }
    }
  }

  /** Stops writing and waits for the last transaction's outcome. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }
}
