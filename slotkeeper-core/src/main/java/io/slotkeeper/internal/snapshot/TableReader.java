package io.slotkeeper.internal.snapshot;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.connection.JdbcProperties;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.internal.supervision.SqlStates;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.TupleData;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

/**
 * One snapshot reader's connection: imports the exported snapshot ({@code REPEATABLE READ, READ
 * ONLY; SET TRANSACTION SNAPSHOT}) and reads one table (or one key range of it) at a time, a chunk
 * per call.
 *
 * <p>A table is read by one {@code COPY (SELECT ...) TO STDOUT} scan in text format, parsed by
 * {@link CopyTextRow} (measured 1.3 to 1.7 times as fast as the same SELECT through pgjdbc's result
 * set; see the bench README), a chunk's rows at a time: between chunks nothing reads the socket, so
 * the server, its send buffer full, waits (TCP is the backpressure). As stored by default (a
 * sequential scan, or a TID range scan for a block range); in key order ({@code ORDER BY} the key,
 * an index scan) when {@link #useKeyOrder} says so and always for a key range. Keyset pagination
 * ({@code WHERE (k) > (last) ORDER BY k LIMIT chunk}, a query per chunk) is kept as an option for a
 * reader that must run other statements between chunks. Values are the server's text output, as
 * pgoutput sends them.
 *
 * <p>A table may also be read in parts ({@link #splitBlocks}, {@link #splitPoints}, {@link Range}):
 * each part a range of its blocks or of its first key column, so several readers can read one table
 * at once.
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

  /**
   * A part of a table: the rows whose first key column is at least {@code from} and below {@code
   * to}, both the server's text of a value of that column, or with {@code blocks}, the rows stored
   * in blocks {@code from} (a block number) up to {@code to}; null is unbounded. The parts a table
   * is split into cover every row exactly once, whatever the bounds: the first part has no lower
   * bound, the last no upper bound, and each part's lower bound is the upper bound of the one
   * before.
   */
  record Range(String from, String to, boolean blocks) {
    static final Range ALL = new Range(null, null, false);

    Range(String from, String to) {
      this(from, to, false);
    }
  }

  private final int chunkSize;
  private final Connection connection;
  private final CopyManager copy;

  private PublishedTable table;
  private Range range = Range.ALL;

  /** The last key read from the current (keyed) table, as text; null before its first chunk. */
  private List<String> lastKey;

  /** Where each key column is in a COPY row, and how many fields a row has. */
  private int[] keyFields;

  private int copyFields;

  private boolean exhausted;

  /**
   * Whether a keyed table is read by one keyset query per chunk ({@link #keysetQuery}) instead of
   * one scan per part ({@link #scanQuery}). Off for the initial snapshot: the scan was measured
   * faster (one index scan instead of one per chunk, no planning per chunk; see the bench README),
   * and the snapshot, whose transaction is open throughout anyway, never needs to stop between
   * chunks. A reader that must run other statements between chunks needs keyset queries.
   */
  private boolean keysetQueries;

  /**
   * Whether a whole keyed table is read in key order ({@code slot.snapshot-order = key}); a key
   * range always is (so the server reads it by an index range scan).
   */
  private boolean keyOrder = true;

  /** The keyless table's one COPY scan, open between chunks. */
  private CopyOut scan;

  private TableReader(int chunkSize, Connection connection) throws SQLException {
    this.chunkSize = chunkSize;
    this.connection = connection;
    this.copy = connection.unwrap(PGConnection.class).getCopyAPI();
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
        // A keyless table's scan is one statement that waits for the consumer as long as it
        // stalls; a role's statement_timeout must not end it either.
        st.execute("SET statement_timeout = 0");
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
    return begin(t, Range.ALL);
  }

  /**
   * Starts reading the part {@code r} of {@code t} (a keyed table; {@link Range#ALL} for any
   * table): locks the table. Null when it can be read; otherwise why it is skipped.
   */
  String begin(PublishedTable t, Range r) throws SQLException {
    closeScan();
    table = t;
    range = r;
    lastKey = null;
    exhausted = false;
    layOut();
    String skip =
        inSavepoint(
            "slotkeeper_lock",
            st -> {
              st.execute(
                  "LOCK TABLE "
                      + (t.only() ? "ONLY " : "")
                      + t.qualified()
                      + " IN ACCESS SHARE MODE");
              return null;
            },
            e -> {
              if (!SqlStates.UNDEFINED_TABLE.equals(e.getSQLState())) {
                throw e;
              }
              // The snapshot's transaction goes on: only the failed LOCK is undone.
              return "dropped after the snapshot was taken, before it was read ("
                  + e.getMessage()
                  + ")";
            });
    if (skip != null) {
      exhausted = true;
    }
    return skip;
  }

  /** See {@link #keyOrder}. */
  void useKeyOrder(boolean on) {
    keyOrder = on;
  }

  /** See {@link #keysetQueries}. */
  void useKeysetQueries(boolean on) {
    keysetQueries = on;
  }

  /**
   * Where the key columns are in a row: among the published columns when published (selected once),
   * after them otherwise.
   */
  private void layOut() {
    int n = table.columnSql().size();
    keyFields = new int[table.keySql().size()];
    int extra = 0;
    for (int k = 0; k < keyFields.length; k++) {
      int at = table.columnSql().indexOf(table.keySql().get(k));
      keyFields[k] = at >= 0 ? at : Math.max(n, 1) + extra++;
    }
    copyFields = Math.max(n, 1) + extra;
  }

  /**
   * Up to {@code parts - 1} values of keyed table {@code t}'s first key column that split it into
   * parts of about equal size, ascending; empty when it cannot be split. An integer key is split
   * evenly between its minimum and maximum (two index probes); any other by the column's histogram
   * in {@code pg_stats} (none before the table was analyzed). The points only balance the work:
   * {@link Range}s built on any points cover every row once. Its queries take the table's ACCESS
   * SHARE lock, kept by this transaction; a table dropped before that is not split.
   */
  List<String> splitPoints(PublishedTable t, int parts) throws SQLException {
    if (parts < 2 || !t.keyed()) {
      return List.of();
    }
    String key = t.keySql().get(0);
    String type = t.keyTypes().get(0);
    String from = (t.only() ? "ONLY " : "") + t.qualified();
    // A failed query would end the snapshot's transaction: only this one is undone.
    return inSavepoint(
        "slotkeeper_split",
        st -> {
          List<String> points = new ArrayList<>();
          if (type.equals("smallint") || type.equals("integer") || type.equals("bigint")) {
            try (ResultSet rs =
                st.executeQuery(
                    "SELECT min(" + key + ")::text, max(" + key + ")::text FROM " + from)) {
              if (rs.next() && rs.getString(1) != null) {
                BigInteger min = new BigInteger(rs.getString(1));
                BigInteger span = new BigInteger(rs.getString(2)).subtract(min).add(BigInteger.ONE);
                for (int i = 1; i < parts; i++) {
                  BigInteger p =
                      min.add(
                          span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(parts)));
                  String text = p.toString();
                  if (p.compareTo(min) > 0 && (points.isEmpty() || !points.contains(text))) {
                    points.add(text);
                  }
                }
              }
            }
          } else {
            List<String> bounds = new ArrayList<>();
            try (PreparedStatement ps =
                connection.prepareStatement(
                    "SELECT b::text FROM (SELECT DISTINCT unnest((s.histogram_bounds::text)::"
                        + type
                        + "[]) AS b FROM pg_stats s WHERE s.schemaname = ? AND s.tablename = ?"
                        + " AND s.attname = ?) u ORDER BY b")) {
              ps.setString(
                  1, t.relation().namespace().isEmpty() ? "pg_catalog" : t.relation().namespace());
              ps.setString(2, t.relation().name());
              ps.setString(3, unquote(key));
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  bounds.add(rs.getString(1));
                }
              }
            }
            for (int i = 1; i < parts && bounds.size() >= parts; i++) {
              String p = bounds.get(i * bounds.size() / parts);
              if (!points.contains(p)) {
                points.add(p);
              }
            }
          }
          return points;
        },
        e -> List.of());
  }

  /**
   * Up to {@code parts - 1} block numbers that split {@code t}'s heap into parts of about equal
   * size, ascending; empty when it has fewer blocks than parts (a partitioned table's root has none
   * of its own). Each part is then read by a TID range scan ({@code ctid >= '(from,0)' AND ctid <
   * '(to,0)'}, PostgreSQL 14+): as fast per row as a sequential scan, and a table needs no primary
   * key to be split. Rows inserted after the snapshot, in blocks past the last point, are invisible
   * to it anyway, and the last part has no upper bound. Takes the table's ACCESS SHARE lock, kept
   * by this transaction; a table dropped before that is not split.
   */
  List<String> splitBlocks(PublishedTable t, int parts) throws SQLException {
    if (parts < 2) {
      return List.of();
    }
    // A size that cannot be read (the table was dropped before it could be locked) means: not
    // split.
    long blocks =
        inSavepoint(
            "slotkeeper_split",
            st -> {
              try (ResultSet rs =
                  st.executeQuery(
                      "SELECT pg_relation_size('"
                          + t.qualified().replace("'", "''")
                          + "'::regclass) / current_setting('block_size')::bigint")) {
                rs.next();
                return rs.getLong(1);
              }
            },
            e -> 0L);
    if (blocks < parts) {
      return List.of();
    }
    List<String> points = new ArrayList<>();
    for (int i = 1; i < parts; i++) {
      points.add(Long.toString(blocks * i / parts));
    }
    return points;
  }

  /** Statements run inside a savepoint, on the statement given. */
  private interface SavepointWork<T> {
    T run(Statement st) throws SQLException;
  }

  /** What a failed {@link SavepointWork} answers instead, or throws to fail the caller. */
  private interface SavepointFailure<T> {
    T answer(SQLException e) throws SQLException;
  }

  /**
   * Runs {@code work} inside savepoint {@code name}, so that a statement of it that fails undoes
   * only {@code work}, not the snapshot's transaction (an error otherwise aborts the whole
   * transaction, and its imported snapshot with it). On an error {@code onFailure} answers instead
   * and the savepoint is rolled back to; an error it throws is passed on as it is, with no rollback
   * (the reader fails).
   */
  private <T> T inSavepoint(String name, SavepointWork<T> work, SavepointFailure<T> onFailure)
      throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("SAVEPOINT " + name);
      try {
        T result = work.run(st);
        st.execute("RELEASE SAVEPOINT " + name);
        return result;
      } catch (SQLException e) {
        T answer = onFailure.answer(e);
        st.execute("ROLLBACK TO SAVEPOINT " + name);
        return answer;
      }
    }
  }

  private static String unquote(String quoted) {
    return quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"");
  }

  /**
   * The current table's (or part's) next chunk; fewer than a chunk's rows (maybe none) means it was
   * the last.
   */
  List<SnapshotReader.Row> nextChunk() throws SQLException {
    List<SnapshotReader.Row> rows = new ArrayList<>();
    if (table == null || exhausted) {
      return rows;
    }
    if (table.keyed() && keysetQueries) {
      readRange(rows);
    } else {
      readFromScan(rows);
    }
    if (rows.size() < chunkSize) {
      exhausted = true;
      closeScan();
    }
    return rows;
  }

  /**
   * The next key range's query: up to a chunk of rows after {@link #lastKey} inside {@link #range},
   * in key order. The key values are literals (COPY takes no parameters), each cast to its column's
   * type.
   */
  String keysetQuery() {
    StringBuilder sql = new StringBuilder("SELECT ").append(selectList());
    sql.append(" FROM ").append(table.only() ? "ONLY " : "").append(table.qualified());
    List<String> conditions = new ArrayList<>();
    if (table.rowFilter() != null) {
      conditions.add("(" + table.rowFilter() + ")");
    }
    conditions.addAll(rangeConditions());
    if (lastKey != null) {
      List<String> values = new ArrayList<>();
      for (int k = 0; k < lastKey.size(); k++) {
        values.add(literal(lastKey.get(k), table.keyTypes().get(k)));
      }
      conditions.add(
          "(" + String.join(", ", table.keySql()) + ") > (" + String.join(", ", values) + ")");
    }
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    sql.append(" ORDER BY ").append(String.join(", ", table.keySql()));
    sql.append(" LIMIT ").append(chunkSize);
    return sql.toString();
  }

  /**
   * A value as an escape string constant ({@code E'...'}: its meaning does not depend on {@code
   * standard_conforming_strings}) cast to {@code type}.
   */
  static String literal(String value, String type) {
    return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'::" + type;
  }

  /** The next key range, through COPY. */
  private void readRange(List<SnapshotReader.Row> into) throws SQLException {
    CopyOut out = copyOut(keysetQuery());
    ColumnValue[] last = null;
    byte[] line;
    while ((line = out.readFromCopy()) != null) {
      last = CopyTextRow.parse(line, copyFields);
      into.add(new SnapshotReader.Row(table.relation(), tuple(last)));
    }
    if (last != null) {
      List<String> key = new ArrayList<>(keyFields.length);
      for (int f : keyFields) {
        key.add(last[f].text());
      }
      lastKey = key;
    }
  }

  /**
   * The current part's one scan: its rows (inside {@link #range}, after the row filter), in key
   * order for a keyed table.
   */
  String scanQuery() {
    StringBuilder sql = new StringBuilder("SELECT ").append(selectList());
    sql.append(" FROM ").append(table.only() ? "ONLY " : "").append(table.qualified());
    List<String> conditions = new ArrayList<>();
    if (table.rowFilter() != null) {
      conditions.add("(" + table.rowFilter() + ")");
    }
    conditions.addAll(rangeConditions());
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    if (table.keyed() && (keyOrder || (!range.blocks() && !range.equals(Range.ALL)))) {
      sql.append(" ORDER BY ").append(String.join(", ", table.keySql()));
    }
    return sql.toString();
  }

  private List<String> rangeConditions() {
    List<String> conditions = new ArrayList<>();
    if (range.blocks()) {
      if (range.from() != null) {
        conditions.add("ctid >= '(" + Long.parseLong(range.from()) + ",0)'::tid");
      }
      if (range.to() != null) {
        conditions.add("ctid < '(" + Long.parseLong(range.to()) + ",0)'::tid");
      }
      return conditions;
    }
    if (!table.keyed()) {
      return conditions;
    }
    String first = table.keySql().get(0);
    String firstType = table.keyTypes().get(0);
    if (range.from() != null) {
      conditions.add(first + " >= " + literal(range.from(), firstType));
    }
    if (range.to() != null) {
      conditions.add(first + " < " + literal(range.to(), firstType));
    }
    return conditions;
  }

  /** Up to a chunk of rows from the part's one COPY scan (started on first use). */
  private void readFromScan(List<SnapshotReader.Row> into) throws SQLException {
    if (scan == null) {
      scan = copyOut(scanQuery());
    }
    byte[] line;
    while (into.size() < chunkSize && (line = scan.readFromCopy()) != null) {
      into.add(
          new SnapshotReader.Row(table.relation(), tuple(CopyTextRow.parse(line, copyFields))));
    }
  }

  private CopyOut copyOut(String query) throws SQLException {
    return copy.copyOut("COPY (" + query + ") TO STDOUT");
  }

  /**
   * The published columns of a COPY row: its first fields (after them, unpublished key columns).
   */
  private TupleData tuple(ColumnValue[] fields) {
    int n = table.columnSql().size();
    return TupleData.of(fields.length == n ? fields : Arrays.copyOf(fields, n));
  }

  /** The published columns, then the key columns that are not published (see {@link #layOut}). */
  private String selectList() {
    // A table published with no columns still has rows; select something so the query is valid.
    List<String> fields =
        new ArrayList<>(table.columnSql().isEmpty() ? List.of("NULL") : table.columnSql());
    for (String k : table.keySql()) {
      if (!table.columnSql().contains(k)) {
        fields.add(k);
      }
    }
    return String.join(", ", fields);
  }

  /** Ends the keyless table's scan if it is still open (its table was not read to the end). */
  private void closeScan() {
    if (scan != null) {
      try {
        if (scan.isActive()) {
          scan.cancelCopy();
        }
      } catch (SQLException ignored) {
        // the transaction ends with the connection anyway
      }
      scan = null;
    }
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
    closeScan();
    try {
      connection.rollback();
      connection.close();
    } catch (SQLException | RuntimeException ignored) {
      // nothing was written; the server ends the transaction with the connection
    }
  }
}
