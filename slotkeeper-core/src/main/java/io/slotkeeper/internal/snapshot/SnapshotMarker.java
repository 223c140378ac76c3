package io.slotkeeper.internal.snapshot;

import io.slotkeeper.InternalApi;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The durable mark of an initial snapshot that was not completed: a physical replication slot named
 * {@code slotkeeper_snap_<slot>} that reserves no WAL, created before a slot is created with a
 * snapshot and dropped once the consumer has acknowledged something delivered after the snapshot's
 * last row (which, as acknowledgements are cumulative, covers every snapshot row).
 *
 * <p>Why a physical slot without reserved WAL: it is durable (it survives restarts and crashes),
 * cluster-wide like slot names, holds back neither WAL nor xmin ({@code restart_lsn} stays null),
 * needs no table in the user's schema (a marker table would show up in a {@code FOR ALL TABLES}
 * publication's stream), and the REPLICATION attribute the source needs anyway suffices to create
 * and drop it. (A replication origin, the first choice, needs superuser or EXECUTE grants on the
 * origin functions, which a least-privilege role lacks.) It takes one of {@code
 * max_replication_slots} while the snapshot runs. A process that dies mid-snapshot leaves the mark
 * behind, so the next process that finds the slot knows the copy its consumer has is partial and
 * takes the snapshot again on a new slot (RESYNC_REQUIRED first), instead of streaming from the
 * slot as if the copy were whole.
 */
@InternalApi
public final class SnapshotMarker {
  private static final String PREFIX = "slotkeeper_snap_";

  /** NAMEDATALEN - 1: the longest slot name the server takes. */
  private static final int MAX_NAME = 63;

  private SnapshotMarker() {}

  /**
   * The mark's slot name. Slot names allow only lower-case letters, digits and underscores, which
   * {@code slot} already consists of; a name too long for the prefix is shortened with a hash of
   * the whole, so two long names sharing a beginning keep apart marks.
   */
  public static String name(String slot) {
    String plain = PREFIX + slot;
    if (plain.length() <= MAX_NAME) {
      return plain;
    }
    String hash = String.format("%016x", fnv64(slot));
    return PREFIX + slot.substring(0, MAX_NAME - PREFIX.length() - 1 - hash.length()) + "_" + hash;
  }

  private static long fnv64(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** Whether a snapshot of {@code slot} was started and never completed. */
  public static boolean exists(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND slot_type = 'physical'")) {
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
            // immediately_reserve = false (no WAL held), temporary = false (survives the process).
            "SELECT pg_create_physical_replication_slot(?, false, false) WHERE NOT EXISTS"
                + " (SELECT 1 FROM pg_replication_slots WHERE slot_name = ?)")) {
      ps.setString(1, name(slot));
      ps.setString(2, name(slot));
      ps.execute();
    }
  }

  /** Records that the snapshot of {@code slot} was completed: drops the mark. */
  public static void drop(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE slot_name = ? AND slot_type = 'physical'")) {
      ps.setString(1, name(slot));
      ps.execute();
    }
  }
}
