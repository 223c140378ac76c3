package io.slotkeeper.internal.snapshot;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.TableName;
import io.slotkeeper.internal.supervision.SqlStates;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where backfill progress is kept durably ({@code backfill.progress-table}, in the source database,
 * created on first use): one row per slot and table with the last key of the last chunk whose high
 * watermark the consumer acknowledged (null: none yet), the chunks and rows delivered up to it, and
 * whether the backfill finished. A table in the source database, because it must outlive the
 * process and be found by another one on another node that streams the same slot, and the database
 * is the one thing they share. Written only after acknowledgement, so a resumed backfill never
 * skips a row the consumer has not made durable; a chunk delivered but not acknowledged before a
 * crash is read again.
 */
final class BackfillProgressTable {

  /** A table's recorded progress. */
  record Stored(List<String> lastKey, long chunks, long rows, boolean finished) {}

  private final TableName name;
  private final String slot;

  BackfillProgressTable(TableName name, String slot) {
    this.name = name;
    this.slot = slot;
  }

  TableName name() {
    return name;
  }

  /**
   * The statement that creates the table: run by {@link #ensure}, and named to the operator whose
   * role may not run it.
   */
  String createSql() {
    return "CREATE TABLE IF NOT EXISTS "
        + name.quoted()
        + " (slot_name text NOT NULL, table_schema text NOT NULL, table_name text NOT NULL,"
        + " last_key text[], chunks bigint NOT NULL DEFAULT 0, rows bigint NOT NULL DEFAULT 0,"
        + " finished boolean NOT NULL DEFAULT false,"
        + " started_at timestamptz NOT NULL DEFAULT now(),"
        + " updated_at timestamptz NOT NULL DEFAULT now(),"
        + " PRIMARY KEY (slot_name, table_schema, table_name))";
  }

  /** What the source's role needs on the table. */
  private String grantSql(Connection c) throws SQLException {
    return "GRANT SELECT, INSERT, UPDATE, DELETE ON "
        + name.quoted()
        + " TO "
        + PublishedTables.quote(c.getMetaData().getUserName());
  }

  /**
   * Creates the table unless it exists (another source may race to create it: fine). A role that
   * may not create it, or may not write it, gets a {@link FailureKind#PRIVILEGE} failure naming the
   * exact statements to run once as a role that may.
   */
  void ensure(Connection c) throws SQLException {
    if (exists(c)) {
      return;
    }
    try (Statement st = c.createStatement()) {
      st.execute(createSql());
    } catch (SQLException e) {
      // Two sources creating it at once: one wins, the other sees a duplicate catalog row.
      if (!SqlStates.UNIQUE_VIOLATION.equals(e.getSQLState())
          && !SqlStates.DUPLICATE_TABLE.equals(e.getSQLState())) {
        if (SqlStates.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
          String role = PublishedTables.quote(c.getMetaData().getUserName());
          throw new SourceFailedException(
              FailureKind.PRIVILEGE,
              "role "
                  + role
                  + " may not create the backfill progress table "
                  + name.quoted()
                  + " ("
                  + e.getMessage().lines().findFirst().orElse("")
                  + ")",
              "run once, as a role that may: "
                  + createSql()
                  + "; "
                  + grantSql(c)
                  + " (or GRANT CREATE ON SCHEMA "
                  + PublishedTables.quote(name.schema())
                  + " TO "
                  + role
                  + ", or point backfill.progress-table at a table in a schema this role may"
                  + " create in)",
              null,
              e);
        }
        throw e;
      }
    }
  }

  /**
   * {@code e} as a {@link FailureKind#PRIVILEGE} failure naming the GRANT when the role may not
   * read or write the table (created by another role); otherwise {@code e} itself.
   */
  private SQLException orDenied(Connection c, SQLException e) throws SQLException {
    if (SqlStates.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
      throw new SourceFailedException(
          FailureKind.PRIVILEGE,
          "role "
              + PublishedTables.quote(c.getMetaData().getUserName())
              + " may not write the backfill progress table "
              + name.quoted()
              + " ("
              + e.getMessage().lines().findFirst().orElse("")
              + ")",
          "run once, as a role that may: " + grantSql(c),
          null,
          e);
    }
    return e;
  }

  private boolean exists(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, name.quoted());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** The unfinished backfills of this slot, oldest first; none when the table does not exist. */
  List<TableName> unfinished(Connection c) throws SQLException {
    List<TableName> out = new ArrayList<>();
    if (!exists(c)) {
      return out;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT table_schema, table_name FROM "
                + name.quoted()
                + " WHERE slot_name = ? AND NOT finished ORDER BY started_at")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(TableName.of(rs.getString(1), rs.getString(2)));
        }
      }
    }
    return out;
  }

  /** {@code table}'s recorded progress, or null when there is none. */
  Stored read(Connection c, TableName table) throws SQLException {
    try {
      return readOrFail(c, table);
    } catch (SQLException e) {
      throw orDenied(c, e);
    }
  }

  private Stored readOrFail(Connection c, TableName table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT last_key, chunks, rows, finished FROM "
                + name.quoted()
                + " WHERE slot_name = ? AND table_schema = ? AND table_name = ?")) {
      ps.setString(1, slot);
      ps.setString(2, table.schema());
      ps.setString(3, table.name());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        Array key = rs.getArray(1);
        List<String> lastKey = key == null ? null : Arrays.asList((String[]) key.getArray());
        return new Stored(lastKey, rs.getLong(2), rs.getLong(3), rs.getBoolean(4));
      }
    }
  }

  /** A new backfill of {@code table}: from its first key. */
  void start(Connection c, TableName table) throws SQLException {
    try {
      startOrFail(c, table);
    } catch (SQLException e) {
      throw orDenied(c, e);
    }
  }

  private void startOrFail(Connection c, TableName table) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + name.quoted()
                + " (slot_name, table_schema, table_name) VALUES (?, ?, ?)"
                + " ON CONFLICT (slot_name, table_schema, table_name) DO UPDATE SET last_key = NULL,"
                + " chunks = 0, rows = 0, finished = false, started_at = now(), updated_at = now()")) {
      ps.setString(1, slot);
      ps.setString(2, table.schema());
      ps.setString(3, table.name());
      ps.executeUpdate();
    }
  }

  /** The consumer acknowledged every chunk up to the one ending at {@code lastKey}. */
  void record(
      Connection c, TableName table, List<String> lastKey, long chunks, long rows, boolean finished)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + name.quoted()
                + " SET last_key = ?, chunks = ?, rows = ?, finished = ?, updated_at = now()"
                + " WHERE slot_name = ? AND table_schema = ? AND table_name = ?")) {
      ps.setArray(1, lastKey == null ? null : c.createArrayOf("text", lastKey.toArray()));
      ps.setLong(2, chunks);
      ps.setLong(3, rows);
      ps.setBoolean(4, finished);
      ps.setString(5, slot);
      ps.setString(6, table.schema());
      ps.setString(7, table.name());
      ps.executeUpdate();
    }
  }

  /**
   * Forgets {@code table}'s backfill (it was dropped): nothing is left to continue, and a later
   * start would otherwise try it at every start.
   */
  void forget(Connection c, TableName table) throws SQLException {
    if (!exists(c)) {
      return;
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "DELETE FROM "
                + name.quoted()
                + " WHERE slot_name = ? AND table_schema = ? AND table_name = ?")) {
      ps.setString(1, slot);
      ps.setString(2, table.schema());
      ps.setString(3, table.name());
      ps.executeUpdate();
    }
  }
}
