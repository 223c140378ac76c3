package io.slotkeeper.internal.snapshot;

import io.slotkeeper.InternalApi;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.connection.JdbcProperties;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.TupleData;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the published tables inside the snapshot a new slot exported, on one ordinary connection
 * ({@code BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT}), one chunk
 * at a time and only when {@link #next} asks for rows: what it holds is at most one chunk, however
 * large the table.
 *
 * <p>A table with a primary key is read in key ranges ({@code WHERE (k) > (last) ORDER BY k LIMIT
 * chunk}, keyset pagination: each range is an index scan that starts where the last one ended). A
 * table without one is read by a single cursor scan fetching a chunk at a time (pgjdbc's fetch size
 * inside the transaction). Values are read in text format, so each is the server's text output, as
 * pgoutput sends it.
 *
 * <p>Blocking and single-threaded: its owner calls it from one thread at a time (off the actor's
 * thread); {@link #abort} may come from any thread.
 */
@InternalApi
public final class SnapshotReader implements AutoCloseable {

  /** One row and the table it belongs to. */
  public record Row(Relation relation, TupleData row) {}

  /** Up to the asked number of rows; {@code finished} when every table has been read. */
  public record Batch(List<Row> rows, boolean finished) {}

  private static final Logger log = LoggerFactory.getLogger(SnapshotReader.class);

  private final SourceSettings settings;
  private final String snapshotName;
  private final int majorVersion;
  private final int chunkSize;
  private final AtomicReference<SnapshotProgress> progress;
  private final long startNanos = System.nanoTime();

  private Connection connection;
  private List<PublishedTable> tables;
  private int tableIndex;
  private PublishedTable table;

  /** The current chunk's rows not yet handed out. */
  private final ArrayDeque<Row> chunk = new ArrayDeque<>();

  /** The last key read from the current (keyed) table, as text; null before its first chunk. */
  private List<String> lastKey;

  private boolean tableExhausted;
  private Statement cursorStatement;
  private ResultSet cursor;
  private long chunks;
  private long rows;

  /**
   * @param progress where the figures are published (the source's progress)
   */
  public SnapshotReader(
      SourceSettings settings,
      String snapshotName,
      int majorVersion,
      AtomicReference<SnapshotProgress> progress) {
    this.settings = settings;
    this.snapshotName = snapshotName;
    this.majorVersion = majorVersion;
    this.chunkSize = settings.slot().snapshotChunkSize();
    this.progress = progress;
  }

  /** Opens the connection, imports the snapshot and lists the tables. Blocking. */
  private void open() throws SQLException {
    Properties props = JdbcProperties.of(settings);
    // Text format for every value: the server's own output, exactly what pgoutput sends.
    props.setProperty("binaryTransfer", "false");
    props.setProperty(
        "ApplicationName",
        props.getProperty("ApplicationName", "slotkeeper:" + settings.slot().name()) + ":snapshot");
    connection = DriverManager.getConnection(settings.connection().url(), props);
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
    tables = PublishedTables.list(connection, settings.publication().names(), majorVersion);
    log.info(
        "slot {}: snapshot {} imported; reading {} table(s): {}",
        settings.slot().name(),
        snapshotName,
        tables.size(),
        tables.stream().map(t -> t.relation().qualifiedName()).collect(Collectors.joining(", ")));
    tableIndex = -1;
    publish(SnapshotProgress.State.READING);
  }

  /**
   * Up to {@code max} rows (at least one unless finished), reading the next chunk from the server
   * only when the current one is used up.
   */
  public Batch next(int max) throws SQLException {
    if (connection == null) {
      open();
    }
    List<Row> out = new ArrayList<>(Math.min(max, chunkSize));
    while (out.size() < max) {
      if (chunk.isEmpty() && !fillChunk()) {
        if (!nextTable()) {
          publish(SnapshotProgress.State.DONE);
          return new Batch(out, true);
        }
        continue;
      }
      out.add(chunk.poll());
    }
    return new Batch(out, false);
  }

  /** Moves to the next table; false when there is none. */
  private boolean nextTable() throws SQLException {
    closeCursor();
    if (table != null) {
      log.debug(
          "slot {}: snapshot of {} read in {} chunk(s)",
          settings.slot().name(),
          table.relation().qualifiedName(),
          chunks);
    }
    tableIndex++;
    if (tableIndex >= tables.size()) {
      table = null;
      return false;
    }
    table = tables.get(tableIndex);
    lastKey = null;
    tableExhausted = false;
    chunks = 0;
    publish(SnapshotProgress.State.READING);
    return true;
  }

  /** Reads the current table's next chunk into {@link #chunk}; false when it has no more rows. */
  private boolean fillChunk() throws SQLException {
    if (table == null || tableExhausted) {
      return false;
    }
    int read = table.keyed() ? readRange() : readFromCursor();
    if (read < chunkSize) {
      tableExhausted = true;
      closeCursor();
    }
    if (read > 0) {
      chunks++;
      rows += read;
      publish(SnapshotProgress.State.READING);
    }
    return read > 0;
  }

  /** The next key range: rows after {@link #lastKey}, in key order. */
  private int readRange() throws SQLException {
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
      int read = 0;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          chunk.add(new Row(table.relation(), tuple(rs, n)));
          List<String> key = new ArrayList<>(table.keySql().size());
          for (int k = 0; k < table.keySql().size(); k++) {
            key.add(rs.getString(n + 1 + k));
          }
          lastKey = key;
          read++;
        }
      }
      return read;
    }
  }

  /** Up to a chunk of rows from the table's one cursor scan (opened on first use). */
  private int readFromCursor() throws SQLException {
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
    int read = 0;
    while (read < chunkSize && cursor.next()) {
      chunk.add(new Row(table.relation(), tuple(cursor, n)));
      read++;
    }
    return read;
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

  private void publish(SnapshotProgress.State state) {
    PublishedTable t = table;
    long estimate =
        t == null || t.estimatedRows() < 0 ? -1 : (t.estimatedRows() + chunkSize - 1) / chunkSize;
    progress.set(
        new SnapshotProgress(
            state,
            t == null ? "" : t.relation().qualifiedName(),
            state == SnapshotProgress.State.DONE ? tables.size() : Math.max(0, tableIndex),
            tables == null ? 0 : tables.size(),
            t == null ? 0 : chunks,
            estimate,
            rows,
            Duration.ofNanos(System.nanoTime() - startNanos)));
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

  /** Closes the socket from any thread: a read running in the owner's thread fails at once. */
  public void abort() {
    Connection c = connection;
    if (c != null) {
      try {
        c.abort(Runnable::run);
      } catch (SQLException | RuntimeException ignored) {
        // already closed
      }
    }
  }

  @Override
  public void close() {
    Connection c = connection;
    if (c != null) {
      try {
        c.rollback();
        c.close();
      } catch (SQLException | RuntimeException ignored) {
        // nothing was written; the server ends the transaction with the connection
      }
    }
  }
}
