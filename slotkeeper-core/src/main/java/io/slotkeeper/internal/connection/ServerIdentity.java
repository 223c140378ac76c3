package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;

/**
 * What IDENTIFY_SYSTEM says about the server behind a replication connection: which database
 * cluster it is (the system identifier, fixed at initdb and shared by its physical standbys), which
 * timeline its WAL is on (a promotion or a point-in-time restore starts a new one), and how far its
 * WAL is flushed.
 */
@InternalApi
public record ServerIdentity(String systemId, int timeline, Lsn flushLsn) {}
