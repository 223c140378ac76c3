/**
 * The replication protocol's frames (XLogData, primary keepalive) and the standby status update:
 * pure byte-level functions used by the engine's connection. Internal, as all of {@code
 * io.slotkeeper.internal}: not for users, may change without notice. The pgoutput payload inside
 * XLogData is decoded by the public {@code io.slotkeeper.pgoutput}.
 */
package io.slotkeeper.internal.wire;
