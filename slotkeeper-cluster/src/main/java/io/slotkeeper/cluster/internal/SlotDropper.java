package io.slotkeeper.cluster.internal;

import io.slotkeeper.InternalApi;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.connection.JdbcProperties;
import io.slotkeeper.internal.snapshot.SnapshotMarker;
import io.slotkeeper.internal.supervision.SqlStates;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Drops a removed sharded source's slot, on an ordinary connection with the source's own settings.
 * Runs after the source stopped; a walsender that still holds the slot (the source's node crashed
 * and the server has not noticed yet: up to {@code wal_sender_timeout}) makes the server refuse
 * with OBJECT_IN_USE, so that is tried again until the deadline.
 */
@InternalApi
public final class SlotDropper {
  private static final Duration PAUSE = Duration.ofMillis(250);

  private SlotDropper() {}

  /**
   * Blocks until the slot (and the mark of an unfinished snapshot, if any) is gone.
   *
   * @return true when this call dropped it, false when there was no such slot
   * @throws SQLException when the server refuses, or still OBJECT_IN_USE at the deadline
   */
  public static boolean drop(SourceSettings settings, Duration within)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    String slot = settings.slot().name();
    while (true) {
      try (Connection c =
          DriverManager.getConnection(settings.connection().url(), JdbcProperties.of(settings))) {
        boolean dropped;
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE slot_name = ? AND slot_type = 'logical'")) {
          ps.setString(1, slot);
          try (ResultSet rs = ps.executeQuery()) {
            dropped = rs.next();
          }
        }
        // A run that died mid-snapshot left a mark; with the slot gone it would only make a later
        // slot of this name retake a snapshot.
        SnapshotMarker.drop(c, slot);
        return dropped;
      } catch (SQLException e) {
        if (!SqlStates.OBJECT_IN_USE.equals(e.getSQLState()) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(PAUSE.toMillis());
      }
    }
  }
}
