package io.slotkeeper.internal;

import io.slotkeeper.Lsn;

/** A row of pg_replication_slots, as far as a source cares. */
public record SlotInfo(
    String name, String plugin, String slotType, String database, Integer activePid, Lsn confirmedFlushLsn,
    Lsn restartLsn, String walStatus) {}
