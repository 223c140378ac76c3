package io.slotkeeper.internal.connection;

import io.slotkeeper.ConnectedServer;
import io.slotkeeper.InternalApi;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.admin.AdminActor;
import io.slotkeeper.internal.source.AckTarget;
import io.slotkeeper.internal.source.SourceActor;
import io.slotkeeper.internal.source.StreamHistory;
import io.slotkeeper.internal.status.StatusMonitor;
import io.slotkeeper.internal.supervision.Restarter;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a {@link ConnectionActor} works with, handed over in one piece: the source's settings, the
 * actors it reports to and the state it shares with the source's other connections. Everything here
 * outlives the connection; the connection's own state stays in the actor.
 *
 * @param confirmed the source's confirmed position (the SourceActor's ledger), read for status
 *     updates
 * @param receivedLsn where the connection publishes the highest position it received
 * @param ownWalsenders the walsenders of this source's earlier connections, to end an orphan of
 *     ours
 * @param history what this source streamed so far, to tell a continuing start from a new one
 * @param snapshotProgress where the initial snapshot's figures are published
 * @param binaryFallback with {@code binary = auto}: what ended the last connection (a column of a
 *     type without a binary codec arriving mid-stream), so the next connect streams in text; null
 *     otherwise
 */
@InternalApi
public record ConnectionContext(
    SourceSettings settings,
    ActorRef<SourceActor.Command> source,
    ActorRef<StatusMonitor.Command> monitor,
    ActorRef<Restarter.Command> restarter,
    ActorRef<AdminActor.Command> admin,
    LongSupplier confirmed,
    AtomicLong receivedLsn,
    AckTarget ackTarget,
    OwnWalsenders ownWalsenders,
    StreamHistory history,
    AtomicReference<ConnectedServer> connectedServer,
    AtomicReference<SnapshotProgress> snapshotProgress,
    AtomicReference<String> binaryFallback) {}
