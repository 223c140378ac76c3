package io.slotkeeper.soak;

import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent writers, each on its own session, running random transactions shaped by the seed:
 * upserts, updates that change only the short column (so a TOASTed value stays unchanged and
 * pgoutput sends the 'unchanged toast' marker), deletes, TRUNCATE, savepoints rolled back, aborted
 * transactions, transactions larger than logical_decoding_work_mem, and logical messages
 * (transactional and not) before, inside and after transactions. What the server committed is
 * learnt from the oracle slot afterwards, so a commit whose answer was lost in a fault needs no
 * bookkeeping here. Values are letters and digits only (the oracle's parser relies on it); large
 * ones are random so they are not compressed and really go to TOAST.
 */
final class Workload implements AutoCloseable {
  static final List<String> TABLES = List.of("soak_t1", "soak_t2", "soak_t3");
  static final String MESSAGE_PREFIX = "soak";
  private static final int KEYS = 150;
  private static final long MAX_TRANSACTIONS_PER_WRITER = 500_000;
  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  final AtomicLong commits = new AtomicLong();
  final AtomicLong rollbacks = new AtomicLong();
  final AtomicLong failures = new AtomicLong();
  final AtomicLong messages = new AtomicLong();
  final AtomicLong bigTransactions = new AtomicLong();
  final AtomicLong prepared = new AtomicLong();
  private final PostgresServer pg;
  private final boolean twoPhase;
  // GIDs prepared but maybe not yet committed or rolled back (a fault cut the writer in between).
  private final java.util.Set<String> unresolved =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Whether the source streams in-progress transactions (streaming on or parallel). */
  private final boolean streamed;

  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;

  static void createTables(PostgresServer pg) {
    for (String t : TABLES) {
      pg.execute("CREATE TABLE " + t + " (id bigint PRIMARY KEY, v text, big text)");
      // Keep large values out of line and uncompressed, so an update that leaves them alone sends
      // 'u'.
      pg.execute("ALTER TABLE " + t + " ALTER COLUMN big SET STORAGE EXTERNAL");
    }
  }

  Workload(PostgresServer pg, SoakConfig config, int writers, long pauseMillis) {
    this.pg = pg;
    this.twoPhase = config.twoPhase();
    this.streamed = config.streaming() != io.slotkeeper.StreamSettings.Streaming.OFF;
    for (int i = 0; i < writers; i++) {
      Random random = config.random("writer-" + i);
      int writer = i;
      Thread t = new Thread(() -> run(writer, random, pauseMillis), "soak-writer-" + i);
      t.setDaemon(true);
      threads.add(t);
    }
  }

  void start() {
    threads.forEach(Thread::start);
  }

  private void run(int writer, Random random, long pauseMillis) {
    Connection c = null;
    long n = 0;
    while (running && n < MAX_TRANSACTIONS_PER_WRITER) {
      try {
        if (c == null || c.isClosed()) {
          c = pg.connect();
        }
        resolve(c);
        transaction(c, writer, n++, random);
      } catch (SQLException e) {
        // Deadlocks between the writers, and connections lost to server restarts and kills.
        failures.incrementAndGet();
        c = rollbackOrDrop(c);
      } catch (RuntimeException e) {
        // The testkit's connect() throws this while the server is down.
        failures.incrementAndGet();
        c = rollbackOrDrop(c);
        sleep(100);
      }
      sleep(random.nextInt((int) pauseMillis + 1));
    }
    rollbackOrDrop(c);
  }

  private void transaction(Connection c, int writer, long n, Random r) throws SQLException {
    int shape = r.nextInt(100);
    if (twoPhase && shape >= 92) {
      preparedTransaction(c, writer, n, r);
      return;
    }
    try (Statement s = c.createStatement()) {
      if (shape < 12) {
        c.setAutoCommit(true);
        s.execute(randomWrite(r));
        commits.incrementAndGet();
        return;
      }
      if (shape < 22) {
        messagePattern(c, s, writer, n, r);
        return;
      }
      c.setAutoCommit(false);
      if (shape < 45) {
        for (int i = 0, ops = 1 + r.nextInt(5); i < ops; i++) {
          s.execute(randomWrite(r));
        }
      } else if (shape < 60) {
        // An update that leaves the TOASTed column alone: pgoutput sends it as 'unchanged'.
        for (int i = 0, ops = 1 + r.nextInt(3); i < ops; i++) {
          s.execute(
              "UPDATE "
                  + table(r)
                  + " SET v = '"
                  + text(r, 1 + r.nextInt(20))
                  + "' WHERE id = "
                  + key(r));
        }
      } else if (shape < 70) {
        s.execute(randomWrite(r));
        s.execute("SAVEPOINT sp");
        for (int i = 0, ops = 1 + r.nextInt(4); i < ops; i++) {
          s.execute(randomWrite(r));
        }
        if (r.nextBoolean()) {
          if (streamed) {
            // Streamed, a message carries the top-level xid; only a row change of the
            // subtransaction before it lets its rollback drop the message (README, "Large
            // transactions"): the one case the engine cannot tell, so not generated here.
            s.execute(upsert(table(r), key(r), text(r, 5), null));
          }
          emit(s, true, writer, n, "sub");
        }
        s.execute("ROLLBACK TO SAVEPOINT sp");
        if (r.nextBoolean()) {
          s.execute(randomWrite(r));
        }
      } else if (shape < 78) {
        for (int i = 0, ops = 1 + r.nextInt(4); i < ops; i++) {
          s.execute(randomWrite(r));
        }
        c.rollback();
        rollbacks.incrementAndGet();
        return;
      } else if (shape < 84) {
        // Larger than logical_decoding_work_mem (64kB): the server spills it to disk while
        // decoding.
        bigTransactions.incrementAndGet();
        String t = table(r);
        for (int i = 0, rows = 20 + r.nextInt(20); i < rows; i++) {
          s.execute(upsert(t, key(r), text(r, 1 + r.nextInt(10)), text(r, 3000 + r.nextInt(3000))));
        }
      } else if (shape < 86) {
        if (r.nextInt(4) == 0) {
          s.execute("TRUNCATE " + TABLES.get(0) + ", " + TABLES.get(1));
        } else {
          s.execute("TRUNCATE " + table(r));
        }
        s.execute(randomWrite(r));
      } else {
        for (int i = 0, ops = 1 + r.nextInt(3); i < ops; i++) {
          String t = table(r);
          s.execute(upsert(t, key(r), text(r, 5), text(r, 2500 + r.nextInt(2500))));
        }
      }
      c.commit();
      commits.incrementAndGet();
    }
  }

  /** Logical messages in the places that have hurt: before, inside and right after transactions. */
  private void messagePattern(Connection c, Statement s, int writer, long n, Random r)
      throws SQLException {
    switch (r.nextInt(6)) {
      case 0 -> {
        c.setAutoCommit(true);
        emit(s, false, writer, n, "alone");
      }
      case 1 -> {
        // The case that was confirmed past: a transaction committed right after a standalone
        // message emitted inside it.
        c.setAutoCommit(false);
        s.execute(randomWrite(r));
        emit(s, false, writer, n, "inside");
        c.commit();
        commits.incrementAndGet();
      }
      case 2 -> {
        c.setAutoCommit(true);
        emit(s, false, writer, n, "before");
        c.setAutoCommit(false);
        s.execute(randomWrite(r));
        emit(s, true, writer, n, "in");
        c.commit();
        commits.incrementAndGet();
      }
      case 3 -> {
        c.setAutoCommit(false);
        emit(s, true, writer, n, "first");
        s.execute(randomWrite(r));
        c.commit();
        commits.incrementAndGet();
        c.setAutoCommit(true);
        emit(s, false, writer, n, "after");
      }
      case 4 -> {
        c.setAutoCommit(false);
        emit(s, true, writer, n, "only");
        c.commit();
        commits.incrementAndGet();
      }
      default -> {
        c.setAutoCommit(false);
        emit(s, false, writer, n, "aborted");
        s.execute(randomWrite(r));
        emit(s, true, writer, n, "gone");
        c.rollback();
        rollbacks.incrementAndGet();
      }
    }
  }

  private void emit(Statement s, boolean transactional, int writer, long n, String where)
      throws SQLException {
    s.execute(
        "SELECT pg_logical_emit_message("
            + transactional
            + ", '"
            + MESSAGE_PREFIX
            + "', 'w"
            + writer
            + "n"
            + n
            + where
            + "')");
    messages.incrementAndGet();
  }

  private static String randomWrite(Random r) {
    int k = r.nextInt(10);
    String t = table(r);
    if (k < 5) {
      return upsert(
          t,
          key(r),
          text(r, 1 + r.nextInt(30)),
          r.nextInt(4) == 0 ? text(r, 2100 + r.nextInt(3000)) : null);
    } else if (k < 8) {
      return "UPDATE " + t + " SET v = '" + text(r, 1 + r.nextInt(30)) + "' WHERE id = " + key(r);
    }
    return "DELETE FROM " + t + " WHERE id = " + key(r);
  }

  private static String upsert(String table, int key, String v, String big) {
    String bigSql = big == null ? "NULL" : "'" + big + "'";
    return "INSERT INTO "
        + table
        + " (id, v, big) VALUES ("
        + key
        + ", '"
        + v
        + "', "
        + bigSql
        + ")"
        + " ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, big = EXCLUDED.big";
  }

  private static String table(Random r) {
    return TABLES.get(r.nextInt(TABLES.size()));
  }

  private static int key(Random r) {
    return 1 + r.nextInt(KEYS);
  }

  private static String text(Random r, int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = ALPHABET.charAt(r.nextInt(ALPHABET.length()));
    }
    return new String(out);
  }

  private static Connection rollbackOrDrop(Connection c) {
    if (c == null) {
      return null;
    }
    try {
      if (!c.isClosed() && !c.getAutoCommit()) {
        c.rollback();
        return c;
      }
      if (!c.isClosed()) {
        return c;
      }
    } catch (SQLException ignored) {
      // broken: drop it below
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // already broken
    }
    return null;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * PREPARE TRANSACTION, then at once COMMIT PREPARED (mostly) or ROLLBACK PREPARED. A prepared
   * transaction survives its session and server restarts, holding its row locks: one a fault left
   * behind is resolved by the next transaction of any writer ({@link #resolve}).
   */
  private void preparedTransaction(Connection c, int writer, long n, Random r) throws SQLException {
    String gid = "soak-" + writer + "-" + n + "-" + System.nanoTime();
    boolean commit = r.nextInt(4) != 0;
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      s.execute("BEGIN");
      try {
        for (int i = 0, ops = 1 + r.nextInt(4); i < ops; i++) {
          s.execute(randomWrite(r));
        }
        unresolved.add(gid);
        s.execute("PREPARE TRANSACTION '" + gid + "'");
      } catch (SQLException e) {
        try {
          s.execute("ROLLBACK");
        } catch (SQLException ignored) {
          // the connection is gone; the server ended the transaction (or it was prepared)
        }
        throw e;
      }
      prepared.incrementAndGet();
      s.execute((commit ? "COMMIT PREPARED '" : "ROLLBACK PREPARED '") + gid + "'");
      unresolved.remove(gid);
      if (commit) {
        commits.incrementAndGet();
      } else {
        rollbacks.incrementAndGet();
      }
    }
  }

  /** Commits every prepared transaction a fault left behind (those that were prepared at all). */
  private void resolve(Connection c) throws SQLException {
    if (unresolved.isEmpty()) {
      return;
    }
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      for (String gid : List.copyOf(unresolved)) {
        try (java.sql.ResultSet rs =
            s.executeQuery("SELECT count(*) FROM pg_prepared_xacts WHERE gid = '" + gid + "'")) {
          rs.next();
          if (rs.getLong(1) > 0) {
            s.execute("COMMIT PREPARED '" + gid + "'");
            commits.incrementAndGet();
          }
        }
        unresolved.remove(gid);
      }
    }
  }

  /** Stops the writers and waits for them, then resolves what a fault left prepared. */
  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(60_000);
    }
    if (!unresolved.isEmpty()) {
      try (Connection c = pg.connect()) {
        resolve(c);
      } catch (SQLException e) {
        throw new IllegalStateException("could not resolve prepared transactions " + unresolved, e);
      }
    }
  }
}
