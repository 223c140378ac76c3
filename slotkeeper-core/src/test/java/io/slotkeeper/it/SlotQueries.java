package io.slotkeeper.it;

import io.slotkeeper.Lsn;
import io.slotkeeper.postgres.PostgresServer;

/** The server's own view of a slot, read the way an operator would. */
final class SlotQueries {
  private SlotQueries() {}

  /** The slot's confirmed_flush_lsn as pg_replication_slots shows it. */
  static Lsn confirmedFlush(PostgresServer pg, String slot) {
    return Lsn.parse(
        pg.queryString(
            "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '"
                + slot
                + "'"));
  }
}
