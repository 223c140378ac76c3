package io.slotkeeper.cli;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.connection.JdbcProperties;
import io.slotkeeper.internal.supervision.SqlStates;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain JDBC for the program's own chores (checks before streaming, publications, slots, status),
 * with every SQL error turned into one line that names the fix.
 */
final class Db {
  private Db() {}

  static Connection connect(SourceSettings s) {
    try {
      return DriverManager.getConnection(s.connection().url(), JdbcProperties.of(s));
    } catch (SQLException e) {
      throw explain(e, s);
    }
  }

  /** One-line explanation of a failed connect or statement. */
  static CliException explain(SQLException e, SourceSettings s) {
    String where = CliConfig.hostPort(s.connection().url());
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String msg = Cli.stripDot(Cli.oneLine(firstSentenceOfPgjdbc(e.getMessage())));
    Throwable root = rootCause(e);
    if (root instanceof UnknownHostException) {
      return CliException.runtime(
          "cannot connect to " + where + ": unknown host " + Cli.oneLine(root.getMessage()),
          "correct the host name in --url");
    }
    if (root instanceof ConnectException
        || root instanceof NoRouteToHostException
        || root instanceof SocketTimeoutException
        || state.equals(SqlStates.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION)) {
      String why =
          root instanceof SocketTimeoutException
              ? "no answer within " + s.connection().connectTimeout().toSeconds() + " s"
              : root != null && root != e && root.getMessage() != null
                  ? Cli.oneLine(root.getMessage())
                  : msg;
      return CliException.runtime(
          "cannot connect to PostgreSQL at " + where + ": " + why,
          "check that the server is running and that --url names the right host and port",
          e);
    }
    if (msg.contains("no password was provided")) {
      return CliException.runtime(
          "the server at "
              + where
              + " wants a password for role \""
              + s.connection().user()
              + "\", but none was given",
          "set PGPASSWORD (the password is never a flag), or slotkeeper.source.password"
              + " in the --config file",
          e);
    }
    switch (state) {
      case SqlStates.INVALID_PASSWORD:
        return CliException.runtime(
            "password authentication failed for role \"" + s.connection().user() + "\" at " + where,
            "set PGPASSWORD (or slotkeeper.source.password in the --config file) to that role's password",
            e);
      case SqlStates.INVALID_AUTHORIZATION_SPECIFICATION:
        return CliException.runtime(
            msg,
            "allow role \""
                + s.connection().user()
                + "\" to connect in the server's pg_hba.conf"
                + " (for replication connections too) and reload the server",
            e);
      case SqlStates.INVALID_CATALOG_NAME:
        return CliException.runtime(msg, "correct the database name at the end of --url", e);
      case SqlStates.INSUFFICIENT_PRIVILEGE:
        return CliException.runtime(
            msg,
            "grant role \""
                + s.connection().user()
                + "\" the privilege named, or connect as a"
                + " role that has it",
            e);
      case SqlStates.TOO_MANY_CONNECTIONS:
        return CliException.runtime(
            msg,
            "raise max_connections (or max_wal_senders) on the server, or stop" + " another client",
            e);
      default:
        return CliException.runtime(
            msg.isEmpty() ? e.getClass().getSimpleName() : msg,
            "see the server's message; rerun with --verbose for details",
            e);
    }
  }

  /** pgjdbc appends advice sentences to connection errors; keep the first, ours follows. */
  private static String firstSentenceOfPgjdbc(String m) {
    if (m == null) {
      return "";
    }
    int i = m.indexOf(". Check that");
    return i > 0 ? m.substring(0, i) : m;
  }

  private static Throwable rootCause(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    return r;
  }

  static boolean publicationExists(Connection c, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  static String serverVersion(Connection c) throws SQLException {
    return queryString(c, "SHOW server_version");
  }

  static String queryString(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  static String quoteIdent(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  /** One row of pg_replication_slots, with the WAL positions the status needs. */
  record SlotRow(
      String name,
      String plugin,
      String slotType,
      String database,
      boolean active,
      Integer activePid,
      String restartLsn,
      String confirmedFlushLsn,
      String walStatus,
      Long retainedBytes,
      Long lagBytes,
      Long safeWalSize,
      String currentWalLsn,
      String holder) {

    /** active (a walsender streams from it), inactive, or lost (invalidated: its WAL is gone). */
    String state() {
      if ("lost".equals(walStatus)) {
        return "lost";
      }
      return active ? "active" : "inactive";
    }

    /** Every field, and {@link #state()} last. */
    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("slot", name);
      m.put("plugin", plugin);
      m.put("slot_type", slotType);
      m.put("database", database);
      m.put("active", active);
      m.put("active_pid", activePid);
      m.put("holder", holder);
      m.put("confirmed_flush_lsn", confirmedFlushLsn);
      m.put("restart_lsn", restartLsn);
      m.put("current_wal_lsn", currentWalLsn);
      m.put("wal_status", walStatus);
      m.put("retained_wal_bytes", retainedBytes);
      m.put("lag_bytes", lagBytes);
      m.put("safe_wal_size", safeWalSize);
      m.put("state", state());
      return m;
    }
  }

  /** Slots of the server (all databases), or just {@code name}'s when it is not null. */
  static List<SlotRow> slots(Connection c, String name) throws SQLException {
    // pg_current_wal_lsn() fails on a standby; pg_last_wal_receive_lsn() is its counterpart there.
    String current =
        "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END";
    String sql =
        "SELECT s.slot_name, s.plugin, s.slot_type, s.database, s.active, s.active_pid,"
            + " s.restart_lsn::text, s.confirmed_flush_lsn::text, s.wal_status,"
            + " pg_wal_lsn_diff("
            + current
            + ", s.restart_lsn)::bigint,"
            + " pg_wal_lsn_diff("
            + current
            + ", s.confirmed_flush_lsn)::bigint,"
            + " s.safe_wal_size, ("
            + current
            + ")::text,"
            + " (SELECT concat_ws(', ', nullif('application ''' || a.application_name || '''', 'application '''''),"
            + "   'from ' || host(a.client_addr)) FROM pg_stat_activity a WHERE a.pid = s.active_pid)"
            + " FROM pg_replication_slots s"
            + (name == null ? "" : " WHERE s.slot_name = ?")
            + " ORDER BY s.slot_name";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (name != null) {
        ps.setString(1, name);
      }
      List<SlotRow> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int pid = rs.getInt(6);
          Integer activePid = rs.wasNull() ? null : pid;
          out.add(
              new SlotRow(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getBoolean(5),
                  activePid,
                  rs.getString(7),
                  rs.getString(8),
                  rs.getString(9),
                  longOrNull(rs, 10),
                  longOrNull(rs, 11),
                  longOrNull(rs, 12),
                  rs.getString(13),
                  rs.getString(14)));
        }
      }
      return out;
    }
  }

  private static Long longOrNull(ResultSet rs, int col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : v;
  }
}
