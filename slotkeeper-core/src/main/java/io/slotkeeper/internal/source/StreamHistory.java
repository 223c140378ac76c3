package io.slotkeeper.internal.source;

import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.internal.connection.ServerIdentity;
import io.slotkeeper.internal.connection.SlotInfo;
import io.slotkeeper.internal.connection.TimelineHistory;

/**
 * What a source knows, across its connections, about the WAL history and the slot it streams from,
 * and the one rule that decides whether a new start continues what it already delivered.
 *
 * <p>The SourceActor's ledger drops replayed transactions by LSN, which is only right while every
 * LSN still names the same record: the same cluster (system identifier), the same timeline, and the
 * same slot. When any of these changed, new transactions below the old high-water mark would be
 * skipped as duplicates and the old confirmed position reported to a slot it never belonged to; the
 * start must instead reset the ledger and announce RESYNC_REQUIRED.
 *
 * <p>Held by the SourceActor, which outlives connections, and used by each ConnectionActor's setup.
 * Connections run one at a time but on different threads, hence the synchronization.
 */
@InternalApi
public final class StreamHistory {

  /** Where the last connection that reached streaming started. */
  private record Start(ServerIdentity server, Lsn slotPosition) {}

  private Start last;
  private ResyncRequired replacing;

  /** How far an initial snapshot of this source got, when it has not finished. */
  public enum UnfinishedSnapshot {
    /** A slot is being created to export one; no row has been delivered. */
    CREATING,
    /** Rows of it have been delivered: the consumer must be told to discard them. */
    DELIVERING
  }

  private UnfinishedSnapshot snapshot;

  /**
   * A slot is about to be created exporting a snapshot. Remembered until the snapshot has been read
   * whole and streaming started: an exported snapshot dies with its connection, so should that
   * connection end first, the next attempt drops the slot and takes a new snapshot on a new one
   * rather than stream from a slot whose snapshot was never delivered in full.
   */
  public synchronized void snapshotCreating() {
    if (snapshot == null) {
      snapshot = UnfinishedSnapshot.CREATING;
    }
  }

  /** The first rows of the snapshot are about to be delivered. */
  public synchronized void snapshotDelivering() {
    snapshot = UnfinishedSnapshot.DELIVERING;
  }

  /** The snapshot was read whole and streaming starts at its consistent point. */
  public synchronized void snapshotFinished() {
    snapshot = null;
  }

  /** An initial snapshot that was started and has not finished, or null. */
  public synchronized UnfinishedSnapshot unfinishedSnapshot() {
    return snapshot;
  }

  /** True once a connection has handed a start to the SourceActor. */
  synchronized boolean streamedBefore() {
    return last != null;
  }

  /**
   * This source is about to drop its slot to replace it ({@code slot.on-invalidated = recreate}).
   * Remembered until a connection starts on the replacement, so a re-creation that fails after the
   * drop still re-creates the slot on the next attempt and still announces the gap.
   */
  public synchronized void replacingSlot(ResyncRequired resync) {
    if (replacing == null) {
      replacing = resync;
    }
  }

  /** A replacement of our own slot that no consumer has been told about yet, or null. */
  public synchronized ResyncRequired pendingReplacement() {
    return replacing;
  }

  /**
   * A connection handed its start to the SourceActor: this is now the history the source follows.
   */
  public synchronized void started(ServerIdentity server, Lsn slotPosition) {
    last = new Start(server, slotPosition);
    replacing = null;
  }

  /**
   * The timeline the last start was on, or 0 before the first: a connection on another timeline
   * reads that timeline's history for {@link #discontinuity}.
   */
  public synchronized int lastTimeline() {
    return last == null ? 0 : last.server().timeline();
  }

  /**
   * {@link #discontinuity(ServerIdentity, SlotInfo, boolean, boolean, Lsn, Lsn, TimelineHistory)}
   * without a timeline history.
   */
  public synchronized String discontinuity(
      ServerIdentity server,
      SlotInfo slot,
      boolean slotCreated,
      boolean temporary,
      Lsn confirmed,
      Lsn received) {
    return discontinuity(server, slot, slotCreated, temporary, confirmed, received, null);
  }

  /**
   * Why a start on {@code server} from {@code slot} cannot be proven to continue what this source
   * delivered, or null when it can (or when nothing was streamed before: the first start).
   *
   * <p>A new timeline (a promotion) continues the history only when {@code timelines}, the new
   * timeline's history, shows that it forked from the old one at or after everything this source
   * received: then every position it knows names the same record on both. That is what a failover
   * slot gives (PostgreSQL 17+, with {@code synchronized_standby_slots} the primary sends its
   * consumer only WAL the standby has); the slot must also exist on the new server (synchronized)
   * and stand no further than this source confirmed, as the checks below require of any start.
   *
   * @param slotCreated this connection created the slot
   * @param temporary the slot is a temporary one (created anew by every connection)
   * @param confirmed the ledger's confirmed position: nothing beyond it was ever reported to a slot
   * @param received the furthest WAL position this source received from the server
   */
  public synchronized String discontinuity(
      ServerIdentity server,
      SlotInfo slot,
      boolean slotCreated,
      boolean temporary,
      Lsn confirmed,
      Lsn received,
      TimelineHistory timelines) {
    if (last == null) {
      return null;
    }
    if (!server.systemId().equals(last.server().systemId())) {
      return "the server is another database cluster (system identifier "
          + server.systemId()
          + ", before "
          + last.server().systemId()
          + "): a failover to another server, or an address that now leads elsewhere";
    }
    if (server.timeline() != last.server().timeline()) {
      String changed =
          "the server's WAL timeline changed from "
              + last.server().timeline()
              + " to "
              + server.timeline()
              + " (a promotion or a restore)";
      if (slotCreated && !temporary) {
        return "slot "
            + slot.name()
            + " did not survive the failover to timeline "
            + server.timeline()
            + " (only a failover slot synchronized to the standby does: PostgreSQL 17+,"
            + " slot.failover on, sync_replication_slots on the standby) and was created anew at "
            + slot.confirmedFlushLsn();
      }
      Lsn fork =
          timelines == null || timelines.timeline() != server.timeline()
              ? null
              : timelines.switchpoint(last.server().timeline());
      if (fork == null) {
        return changed + ": what was delivered from the old timeline may not exist on this one";
      }
      Lsn reached = Lsn.max(received, Lsn.max(confirmed, last.slotPosition()));
      if (reached.isAfter(fork)) {
        return changed
            + " at "
            + fork
            + ", before "
            + reached
            + " which this source already received from the old timeline: the old primary sent WAL"
            + " that the promoted server never had (for a failover slot, the primary's"
            + " synchronized_standby_slots must name the standby's physical slot)";
      }
      // Forked after everything this source knows of: the same records below the fork. The slot
      // checks below decide the rest (a slot the promoted server lacked was created anew).
    }
    if (slotCreated) {
      return temporary
          ? "the temporary slot ended with the previous connection and was created anew"
          : "slot "
              + slot.name()
              + " was missing (dropped by someone else?) and was created anew at "
              + slot.confirmedFlushLsn();
    }
    Lsn known = Lsn.max(confirmed, last.slotPosition());
    if (slot.confirmedFlushLsn().isAfter(known)) {
      return "slot "
          + slot.name()
          + " stands at "
          + slot.confirmedFlushLsn()
          + ", ahead of anything this source"
          + " confirmed ("
          + known
          + "): it was replaced or advanced by someone else";
    }
    if (server.flushLsn().isBefore(received)) {
      return "the server's WAL ends at "
          + server.flushLsn()
          + ", before "
          + received
          + " which this source already"
          + " received: it is not the WAL history this source streamed from (a restore from a backup, or another"
          + " server behind the same address)";
    }
    // A slot behind what we confirmed, on the same cluster and timeline, whose WAL still holds all
    // we received: a server crash loses slot positions not yet saved by a checkpoint. The WAL
    // is the same, so the ledger rightly drops what is replayed.
    return null;
  }
}
