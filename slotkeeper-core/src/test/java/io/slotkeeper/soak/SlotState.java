package io.slotkeeper.soak;

import io.slotkeeper.Lsn;
import io.slotkeeper.postgres.PostgresServer;
import java.time.Duration;

/** The server's view of the engine's slot, read with plain SQL. */
final class SlotState {
  private SlotState() {}

  static Lsn confirmed(PostgresServer pg, String slot) {
    return Lsn.parse(
        pg.queryString(
            "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                + slot
                + "'"));
  }

  /** Waits until no walsender uses the slot, so its confirmed position can no longer move. */
  static void awaitInactive(PostgresServer pg, String slot, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (pg.queryLong(
            "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active")
        > 0) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("slot " + slot + " still active after " + timeout);
      }
      Thread.sleep(50);
    }
  }
}
