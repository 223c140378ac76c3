package io.slotkeeper.cli;

import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Makes sure the slot is confirmed up to what the program wrote, after the source has shut down.
 *
 * <p>Why: when a drained stream completes, the core's source stage stops as soon as its own buffer
 * is empty, and that starts the source's shutdown (final status update, connection closed) while
 * the last batches are still being written further down the stream. Their acknowledgements then
 * arrive after the final status update, and the slot is left behind by up to one keepalive
 * interval of transactions; a restart would stream them again. Until the core waits for the
 * stream's completion (see Control#drainAndShutdown), the program confirms the rest itself with
 * pg_replication_slot_advance once the slot is free: only ever up to the end of the last
 * transaction it wrote, flushed and acknowledged.
 */
final class SlotConfirm {
  private SlotConfirm() {}

  /** Returns null when the slot is confirmed to {@code target}, else why it could not be. */
  static String ensure(SourceSettings s, Lsn target, long timeoutMillis) {
    if (target == null || !target.isValid()) {
      return null;
    }
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    try (Connection c = Db.connect(s)) {
      while (true) {
        Lsn confirmed;
        boolean active;
        try (PreparedStatement ps = c.prepareStatement(
            "SELECT confirmed_flush_lsn::text, active FROM pg_replication_slots WHERE slot_name = ?")) {
          ps.setString(1, s.slotName());
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              return "the slot is gone";
            }
            confirmed = rs.getString(1) == null ? Lsn.INVALID : Lsn.parse(rs.getString(1));
            active = rs.getBoolean(2);
          }
        }
        if (!confirmed.isBefore(target)) {
          return null;
        }
        if (!active) {
          try (PreparedStatement ps = c.prepareStatement("SELECT pg_replication_slot_advance(?, ?::pg_lsn)")) {
            ps.setString(1, s.slotName());
            ps.setString(2, target.toString());
            ps.execute();
            return null;
          } catch (SQLException e) {
            if (!"55006".equals(e.getSQLState())) { // 55006: taken again meanwhile; wait and look again
              return Cli.oneLine(e.getMessage());
            }
          }
        }
        if (System.nanoTime() > deadline) {
          return "the slot stayed in use by another process";
        }
        Thread.sleep(100);
      }
    } catch (SQLException e) {
      return Cli.oneLine(e.getMessage());
    } catch (CliException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
