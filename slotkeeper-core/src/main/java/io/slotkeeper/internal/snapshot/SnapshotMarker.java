package io.slotkeeper.internal.snapshot;

import io.slotkeeper.InternalApi;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.internal.supervision.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The durable mark of an initial snapshot that was not completed: a replication origin named {@code
 * slotkeeper_snapshot:<slot>}, created before a slot is created with a snapshot and dropped once
 * the consumer has acknowledged something delivered after the snapshot's last row (which, as
 * acknowledgements are cumulative, covers every snapshot row).
 *
 * <p>Why an origin: it is durable (a catalog row), cluster-wide like slot names, needs no table in
 * the user's schema (a marker table would show up in a {@code FOR ALL TABLES} publication's
 * stream), and the replication connection can create it with a plain query before the slot exists.
 * A process that dies mid-snapshot leaves the origin behind, so the next process that finds the
 * slot knows the copy its consumer has is partial and takes the snapshot again on a new slot
 * (RESYNC_REQUIRED first), instead of streaming from the slot as if the copy were whole.
 *
 * <p>Creating and dropping an origin needs superuser or {@code EXECUTE} on {@code
 * pg_replication_origin_create(text)} and {@code pg_replication_origin_drop(text)}.
 */
@InternalApi
public final class SnapshotMarker {
  private SnapshotMarker() {}

  static String name(String slot) {
    return "slotkeeper_snapshot:" + slot;
  }

  /** Whether a snapshot of {@code slot} was started and never completed. */
  public static boolean exists(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM pg_replication_origin WHERE roname = ?")) {
      ps.setString(1, name(slot));
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Marks a snapshot of {@code slot} as started (kept when already there). */
  public static void create(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_replication_origin_create(?::text) WHERE NOT EXISTS"
                + " (SELECT 1 FROM pg_replication_origin WHERE roname = ?)")) {
      ps.setString(1, name(slot));
      ps.setString(2, name(slot));
      ps.execute();
    } catch (SQLException e) {
      if (SqlStates.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
        throw new ClassifiedException(
            ErrorClass.FATAL,
            "slot.snapshot = initial records an unfinished snapshot as the replication origin "
                + name(slot)
                + ", and the role may not create one ("
                + e.getMessage()
                + ")",
            "GRANT EXECUTE ON FUNCTION pg_replication_origin_create(text),"
                + " pg_replication_origin_drop(text) TO <role>; or connect as a superuser",
            e);
      }
      throw e;
    }
  }

  /** Records that the snapshot of {@code slot} was completed: drops the mark. */
  public static void drop(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_replication_origin_drop(roname) FROM pg_replication_origin"
                + " WHERE roname = ?")) {
      ps.setString(1, name(slot));
      ps.execute();
    }
  }
}
