package io.slotkeeper.cluster;

import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Write load on many databases at once, from one thread: in turn, one transaction per database of
 * one to three upserts into its table {@code t (id int PRIMARY KEY, v text)}, now and then a
 * delete, {@code pauseMillis} apart. The test's truth is each database's oracle slot, not this
 * class: it only counts.
 */
final class ManyDatabaseWrites implements AutoCloseable {
  private final PostgresServer pg;
  private final List<String> databases;
  private final long pauseMillis;
  private final Random random = new Random(17);
  private final AtomicLong transactions = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  ManyDatabaseWrites(PostgresServer pg, List<String> databases, long pauseMillis) {
    this.pg = pg;
    this.databases = databases;
    this.pauseMillis = pauseMillis;
    this.thread = new Thread(this::run, "many-database-writes");
    thread.setDaemon(true);
    thread.start();
  }

  static void createTable(PostgresServer pg, String database) {
    pg.execute(database, "CREATE TABLE t (id int PRIMARY KEY, v text)");
  }

  long transactions() {
    return transactions.get();
  }

  private void run() {
    List<Connection> connections = new ArrayList<>();
    for (int i = 0; i < databases.size(); i++) {
      connections.add(null);
    }
    int next = 0;
    while (running) {
      int i = next;
      next = (next + 1) % databases.size();
      try {
        Connection c = connections.get(i);
        if (c == null) {
          c = pg.connect(databases.get(i));
          c.setAutoCommit(false);
          connections.set(i, c);
        }
        try (Statement st = c.createStatement()) {
          int rows = 1 + random.nextInt(3);
          for (int r = 0; r < rows; r++) {
            int key = random.nextInt(200);
            if (random.nextInt(10) == 0) {
              st.execute("DELETE FROM t WHERE id = " + key);
            } else {
              st.execute(
                  "INSERT INTO t VALUES ("
                      + key
                      + ", 'v"
                      + random.nextInt(1_000_000)
                      + "') ON CONFLICT (id) DO UPDATE SET v = excluded.v");
            }
          }
        }
        c.commit();
        transactions.incrementAndGet();
        if (pauseMillis > 0 && next == 0) {
          Thread.sleep(pauseMillis);
        }
      } catch (SQLException e) {
        close(connections.get(i));
        connections.set(i, null);
      } catch (InterruptedException e) {
        break;
      }
    }
    connections.forEach(ManyDatabaseWrites::close);
  }

  private static void close(Connection c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (SQLException ignored) {
      // broken already
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(30_000);
  }
}
