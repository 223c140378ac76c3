package io.slotkeeper.soak;

import io.slotkeeper.Lsn;
import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The truth about what the server committed: a second logical slot with the test_decoding plugin,
 * created next to the engine's slot before any workload and never advanced. Peeking it at the end
 * yields every committed change in commit order, with LSNs.
 */
final class Oracle {
  private Oracle() {}

  static void createSlot(PostgresServer pg, String slot) {
    pg.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'test_decoding')");
  }

  static List<Unit> read(PostgresServer pg, String slot, boolean keepMessages) throws SQLException {
    return read(pg, null, slot, keepMessages);
  }

  /**
   * The same in {@code database} (a logical slot is read in the database it was created in); null:
   * the server's default database.
   */
  static List<Unit> read(PostgresServer pg, String database, String slot, boolean keepMessages)
      throws SQLException {
    TestDecodingParser parser = new TestDecodingParser(keepMessages);
    // Decoding reads only flushed WAL. A non-transactional message is not flushed when written (no
    // commit follows it), so the writers' last one may still be in WAL buffers when they stop, to
    // be
    // flushed by the WAL writer a moment later, after this read, and then streamed to the engine:
    // it would look like a unit the server never committed. A checkpoint flushes everything first.
    pg.execute("CHECKPOINT");
    try (Connection c = database == null ? pg.connect() : pg.connect(database)) {
      c.setAutoCommit(false); // lets pgjdbc fetch the rows in chunks rather than all at once
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT lsn::text, data FROM pg_logical_slot_peek_changes(?, NULL,"
                  + " NULL, 'include-xids', '1', 'skip-empty-xacts', '0', 'include-timestamp', '0')")) {
        ps.setString(1, slot);
        ps.setFetchSize(500);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            parser.accept(Lsn.parse(rs.getString(1)), rs.getString(2));
          }
        }
      }
      c.rollback();
    }
    return parser.units();
  }
}
