package io.slotkeeper.internal.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Who blocks a CREATE_REPLICATION_SLOT. While the snapshot builder waits for the transactions that
 * were running when creation began, our walsender waits on each one's transaction-id lock, so
 * pg_locks shows exactly whom it waits for.
 */
final class SlotCreationBlockers {
  /**
   * One blocking backend, as far as the admin role may see it: without pg_read_all_stats another
   * role's transaction start and client address are hidden ({@code detailsHidden}).
   */
  record Blocker(
      int pid,
      String applicationName,
      Long transactionSeconds,
      String clientAddress,
      boolean detailsHidden) {
    String describe() {
      StringBuilder b = new StringBuilder("PID ").append(pid);
      List<String> details = new ArrayList<>();
      if (applicationName != null && !applicationName.isEmpty()) {
        details.add("application '" + applicationName + "'");
      }
      if (transactionSeconds != null) {
        details.add("transaction open " + transactionSeconds + " s");
      }
      if (clientAddress != null && !clientAddress.isEmpty()) {
        details.add("from " + clientAddress);
      }
      if (!details.isEmpty()) {
        b.append(" (").append(String.join(", ", details)).append(")");
      }
      return b.toString();
    }
  }

  private static final String QUERY =
      "SELECT DISTINCT h.pid, a.application_name, extract(epoch FROM now() - a.xact_start)::bigint,"
          + " host(a.client_addr),"
          // A session that holds a transaction-id lock has a transaction start; none means that
          // pg_stat_activity hid it from this role.
          + " a.pid IS NOT NULL AND a.xact_start IS NULL"
          + " FROM pg_locks w"
          + " JOIN pg_locks h ON h.locktype = 'transactionid' AND h.transactionid = w.transactionid"
          + "  AND h.granted AND h.pid <> w.pid"
          + " LEFT JOIN pg_stat_activity a ON a.pid = h.pid"
          + " WHERE w.pid = ? AND w.locktype = 'transactionid' AND NOT w.granted"
          + " ORDER BY h.pid";

  private SlotCreationBlockers() {}

  static List<Blocker> find(Connection c, int walsenderPid) throws SQLException {
    List<Blocker> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(QUERY)) {
      ps.setInt(1, walsenderPid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long age = rs.getLong(3);
          Long seconds = rs.wasNull() ? null : age;
          out.add(
              new Blocker(
                  rs.getInt(1), rs.getString(2), seconds, rs.getString(4), rs.getBoolean(5)));
        }
      }
    }
    return out;
  }

  static String describe(List<Blocker> blockers) {
    return blockers.stream().map(Blocker::describe).collect(Collectors.joining(", "));
  }
}
