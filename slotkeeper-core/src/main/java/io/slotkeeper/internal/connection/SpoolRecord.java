package io.slotkeeper.internal.connection;

import io.slotkeeper.Lsn;

/**
 * One spooled pgoutput message of a streamed transaction: its XLogData WAL start, whether it is a
 * Relation or Type message (kept even when its subtransaction aborts, see {@link
 * SpooledTransaction}), and its bytes as received.
 */
record SpoolRecord(Lsn walStart, boolean schema, byte[] payload) {}
