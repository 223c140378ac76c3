package io.slotkeeper.internal.snapshot;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.connection.JdbcProperties;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.internal.supervision.SqlStates;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.TupleData;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * One snapshot reader's connection: imports the exported snapshot ({@code REPEATABLE READ, READ
 * ONLY; SET TRANSACTION SNAPSHOT}) and reads one table at a time, a chunk per call.
 *
 * <p>A table with a primary key is read in key ranges ({@code WHERE (k) > (last) ORDER BY k LIMIT
 * chunk}, keyset pagination: each range is an index scan that starts where the last one ended). A
 * table without one is read by a single cursor scan fetching a chunk at a time (pgjdbc's fetch size
 * inside the transaction). Values are read in text format, so each is the server's text output, as
 * pgoutput sends it.
 *
 * <p>Each table is locked ({@code ACCESS SHARE}, what the SELECT would take anyway) before its
 * first chunk, inside a savepoint: a table dropped after the snapshot was exported but before this
 * lock is reported ({@link #begin} answers why) and skipped, and the transaction, with its imported
 * snapshot, goes on. Once locked, a table stays locked until this transaction ends with the whole
 * snapshot, so a {@code DROP TABLE} (ACCESS EXCLUSIVE) of it waits until then.
 *
 * <p>Used by one thread at a time; {@link #abort} may come from any thread.
 */
final class TableReader implements AutoCloseable {

  private final int chunkSize;
  private final Connection connection;

  private PublishedTable table;

  /** The last key read from the current (keyed) table, as text; null before its first chunk. */
  private List<String> lastKey;

  private boolean exhausted;
  private Statement cursorStatement;
  private ResultSet cursor;

  private TableReader(int chunkSize, Connection connection) {
    this.chunkSize = chunkSize;
    this.connection = connection;
  }

  /** Connects and imports the snapshot. Blocking. */
  static TableReader open(SourceSettings settings, String snapshotName, int index)
      throws SQLException {
    Properties props = JdbcProperties.of(settings);
    // Text format for every value: the server's own output, exactly what pgoutput sends.
    props.setProperty("binaryTransfer", "false");
    props.setProperty(
        "ApplicationName",
        props.getProperty("ApplicationName", "slotkeeper:" + settings.slot().name())
            + ":snapshot"
            + (index == 0 ? "" : ":" + index));
    Connection connection = DriverManager.getConnection(settings.connection().url(), props);
    try {
      try (Statement st = connection.createStatement()) {
        // This transaction sits idle while the consumer is slow; a server or role setting of
        // idle_in_transaction_session_timeout must not end it.
        st.execute("SET idle_in_transaction_session_timeout = 0");
      }
      connection.setAutoCommit(false);
      try (Statement st = connection.createStatement()) {
        // Must be the transaction's first statements: the snapshot is imported before any query.
        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        st.execute("SET TRANSACTION SNAPSHOT '" + snapshotName.replace("'", "''") + "'");
      } catch (SQLException e) {
        // The exporting connection ended before the import (its snapshot went with it): a new
        // snapshot on a new slot is the way on, not a fix for a person.
        throw new ClassifiedException(
            ErrorClass.TRANSIENT,
            "the slot's exported snapshot "
                + snapshotName
                + " could not be imported ("
                + e.getMessage()
                + "); the connection that exported it has ended",
            null,
            e);
      }
      return new TableReader(settings.slot().snapshotChunkSize(), connection);
    } catch (SQLException | RuntimeException e) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // the error above is the one to report
      }
      throw e;
    }
  }

  /** The publications' tables as this reader's snapshot sees them. */
  List<PublishedTable> list(List<String> publications, int majorVersion) throws SQLException {
    return PublishedTables.list(connection, publications, majorVersion);
  }

  /**
   * Starts reading {@code t}: locks it. Null when it can be read; otherwise why it is skipped (it
   * was dropped after the snapshot was exported, before it could be locked).
   */
  String begin(PublishedTable t) throws SQLException {
    closeCursor();
    table = t;
    lastKey = null;
    exhausted = false;
    try (Statement st = connection.createStatement()) {
      st.execute("SAVEPOINT slotkeeper_lock");
      try {
        st.execute(
            "LOCK TABLE " + (t.only() ? "ONLY " : "") + t.qualified() + " IN ACCESS SHARE MODE");
      } catch (SQLException e) {
        if (!SqlStates.UNDEFINED_TABLE.equals(e.getSQLState())) {
          throw e;
        }
        // The snapshot's transaction goes on: only the failed LOCK is undone.
        st.execute("ROLLBACK TO SAVEPOINT slotkeeper_lock");
        exhausted = true;
        return "dropped after the snapshot was taken, before it was read (" + e.getMessage() + ")";
      }
      st.execute("RELEASE SAVEPOINT slotkeeper_lock");
    }
    return null;
  }

  /**
   * The current table's next chunk; fewer than a chunk's rows (maybe none) means it was the last.
   */
  List<SnapshotReader.Row> nextChunk() throws SQLException {
    List<SnapshotReader.Row> rows = new ArrayList<>();
    if (table == null || exhausted) {
      return rows;
    }
    if (table.keyed()) {
      readRange(rows);
    } else {
      readFromCursor(rows);
    }
    if (rows.size() < chunkSize) {
      exhausted = true;
      closeCursor();
    }
    return rows;
  }

  /** The next key range: rows after {@link #lastKey}, in key order. */
  private void readRange(List<SnapshotReader.Row> into) throws SQLException {
    int n = table.columnSql().size();
    StringBuilder sql = new StringBuilder("SELECT ");
    sql.append(selectList());
    sql.append(", ").append(String.join(", ", table.keySql()));
    sql.append(" FROM ").append(table.only() ? "ONLY " : "").append(table.qualified());
    List<String> conditions = new ArrayList<>();
    if (table.rowFilter() != null) {
      conditions.add("(" + table.rowFilter() + ")");
    }
    if (lastKey != null) {
      List<String> params = new ArrayList<>();
      for (String type : table.keyTypes()) {
        params.add("?::" + type);
      }
      conditions.add(
          "(" + String.join(", ", table.keySql()) + ") > (" + String.join(", ", params) + ")");
    }
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    sql.append(" ORDER BY ").append(String.join(", ", table.keySql()));
    sql.append(" LIMIT ").append(chunkSize);
    try (PreparedStatement ps = connection.prepareStatement(sql.toString())) {
      if (lastKey != null) {
        for (int i = 0; i < lastKey.size(); i++) {
          ps.setString(i + 1, lastKey.get(i));
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          into.add(new SnapshotReader.Row(table.relation(), tuple(rs, n)));
          List<String> key = new ArrayList<>(table.keySql().size());
          for (int k = 0; k < table.keySql().size(); k++) {
            key.add(rs.getString(n + 1 + k));
          }
          lastKey = key;
        }
      }
    }
  }

  /** Up to a chunk of rows from the table's one cursor scan (opened on first use). */
  private void readFromCursor(List<SnapshotReader.Row> into) throws SQLException {
    if (cursor == null) {
      StringBuilder sql = new StringBuilder("SELECT ").append(selectList());
      sql.append(" FROM ").append(table.only() ? "ONLY " : "").append(table.qualified());
      if (table.rowFilter() != null) {
        sql.append(" WHERE (").append(table.rowFilter()).append(")");
      }
      cursorStatement = connection.createStatement();
      // Inside a transaction, a fetch size makes pgjdbc read through a portal, a chunk at a time.
      cursorStatement.setFetchSize(chunkSize);
      cursor = cursorStatement.executeQuery(sql.toString());
    }
    int n = table.columnSql().size();
    while (into.size() < chunkSize && cursor.next()) {
      into.add(new SnapshotReader.Row(table.relation(), tuple(cursor, n)));
    }
  }

  private String selectList() {
    // A table published with no columns still has rows; select something so the query is valid.
    return table.columnSql().isEmpty() ? "NULL" : String.join(", ", table.columnSql());
  }

  private static TupleData tuple(ResultSet rs, int columns) throws SQLException {
    ColumnValue[] values = new ColumnValue[columns];
    for (int i = 0; i < columns; i++) {
      String v = rs.getString(i + 1);
      values[i] = v == null ? ColumnValue.NULL : ColumnValue.text(v);
    }
    return TupleData.of(values);
  }

  private void closeCursor() {
    try {
      if (cursor != null) {
        cursor.close();
      }
      if (cursorStatement != null) {
        cursorStatement.close();
      }
    } catch (SQLException ignored) {
      // the transaction ends with the connection anyway
    }
    cursor = null;
    cursorStatement = null;
  }

  /** Closes the socket from any thread: a read running in another thread fails at once. */
  void abort() {
    try {
      connection.abort(Runnable::run);
    } catch (SQLException | RuntimeException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      connection.rollback();
      connection.close();
    } catch (SQLException | RuntimeException ignored) {
      // nothing was written; the server ends the transaction with the connection
    }
  }
}
