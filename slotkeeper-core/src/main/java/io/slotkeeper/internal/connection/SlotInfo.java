package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;

/** A row of pg_replication_slots, as far as a source cares. */
@InternalApi
public record SlotInfo(
    String name,
    String plugin,
    String slotType,
    String database,
    Integer activePid,
    Lsn confirmedFlushLsn,
    Lsn restartLsn,
    String walStatus,
    String invalidationReason) {

  /**
   * The invalidation reason given to a PostgreSQL 16 slot that {@code conflicting} shows
   * invalidated by a recovery conflict (16 has no invalidation_reason column).
   */
  public static final String RECOVERY_CONFLICT = "recovery_conflict";

  /** Invalidated: the WAL (or catalog rows) it needed are gone; it can never stream again. */
  public boolean invalidated() {
    return "lost".equals(walStatus) || invalidationReason != null;
  }

  /** Why, in the server's words where it has them (PostgreSQL 17+). */
  public String invalidationDescription() {
    return "wal_status = "
        + walStatus
        + (invalidationReason == null
            ? ""
            : RECOVERY_CONFLICT.equals(invalidationReason)
                ? ", conflicting = true"
                : ", invalidation_reason = " + invalidationReason);
  }
}
