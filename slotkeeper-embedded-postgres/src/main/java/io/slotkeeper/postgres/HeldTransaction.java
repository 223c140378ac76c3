package io.slotkeeper.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An open transaction that owns a transaction id, kept open until {@link #commit()}, {@link
 * #rollback()} or {@link #close()}. While it lives, a new logical slot cannot finish its initial
 * snapshot and the xmin horizon cannot advance; it also shows in pg_stat_activity as "idle in
 * transaction".
 */
public final class HeldTransaction implements AutoCloseable {

  private final Connection connection;
  private final int pid;
  private final long xid;
  private boolean finished;

  private HeldTransaction(Connection connection, int pid, long xid) {
    this.connection = connection;
    this.pid = pid;
    this.xid = xid;
  }

  static HeldTransaction open(Connection connection) {
    try {
      connection.setAutoCommit(false);
      try (Statement s = connection.createStatement();
          // txid_current() assigns an xid right now; a read-only transaction would have none.
          ResultSet rs = s.executeQuery("SELECT pg_backend_pid(), txid_current()")) {
        rs.next();
        return new HeldTransaction(connection, rs.getInt(1), rs.getLong(2));
      }
    } catch (SQLException e) {
      closeQuietly(connection);
      throw new PostgresServerException("could not open a held transaction: " + e.getMessage(), e);
    }
  }

  /** The backend process holding the transaction. */
  public int pid() {
    return pid;
  }

  /** The 64-bit transaction id from txid_current() (epoch in the high bits). */
  public long xid() {
    return xid;
  }

  /**
   * Runs a statement inside the held transaction, e.g. an INSERT whose commit the test wants to
   * delay.
   */
  public void execute(String sql) {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new PostgresServerException(
          "SQL failed in held transaction: " + e.getMessage() + "\n  SQL: " + sql, e);
    }
  }

  public boolean isOpen() {
    return !finished;
  }

  /** Commits and closes the connection. */
  public synchronized void commit() {
    finish(true);
  }

  /** Rolls back and closes the connection. */
  public synchronized void rollback() {
    finish(false);
  }

  /** Rolls back if still open; never throws (the server may be gone by now). */
  @Override
  public synchronized void close() {
    if (!finished) {
      finished = true;
      try {
        connection.rollback();
      } catch (SQLException ignored) {
        // the backend may have been terminated or the server stopped; nothing left to undo
      }
      closeQuietly(connection);
    }
  }

  private void finish(boolean commit) {
    if (finished) {
      throw new IllegalStateException("transaction " + xid + " already finished");
    }
    finished = true;
    try {
      if (commit) {
        connection.commit();
      } else {
        connection.rollback();
      }
    } catch (SQLException e) {
      throw new PostgresServerException(
          (commit ? "commit" : "rollback") + " of xid " + xid + " failed: " + e.getMessage(), e);
    } finally {
      closeQuietly(connection);
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing a broken connection can fail; it is closed either way
    }
  }
}
