package io.slotkeeper.internal.connection;

import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.snapshot.SnapshotMarker;
import io.slotkeeper.internal.source.StreamHistory;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.internal.supervision.SqlStates;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The setup of one replication connection, apart from the actor that then handles its messages (as
 * Electric keeps {@code connection_setup} apart from its message loop): the server and publication
 * checks, publication creation, ending our own orphaned walsender, the slot decision ({@link
 * SlotPlan}), the replacement of an invalidated slot, the slot's verification, the continuity
 * decision and START_REPLICATION. Every step is a blocking call on the session, made on the {@link
 * ConnectionActor}'s thread; nothing here sends messages or keeps timers, so the steps can be
 * driven and tested alone against a real server.
 */
final class ConnectionSetup {

  /** What the checks found: the server, our walsender, the slot and what to do with it. */
  record Prepared(
      ServerFacts facts,
      ServerIdentity server,
      OwnWalsenders.Identity walsender,
      SlotInfo slot,
      SlotPlan plan) {}

  private static final Logger log = LoggerFactory.getLogger(ConnectionSetup.class);

  /** How long a terminated orphan walsender may take to exit and release the slot. */
  private static final Duration ORPHAN_EXIT_WAIT = Duration.ofSeconds(10);

  private final SourceSettings settings;
  private final ReplicationSession session;
  private final OwnWalsenders ownWalsenders;
  private final StreamHistory history;

  ConnectionSetup(
      SourceSettings settings,
      ReplicationSession session,
      OwnWalsenders ownWalsenders,
      StreamHistory history) {
    this.settings = settings;
    this.session = session;
    this.ownWalsenders = ownWalsenders;
    this.history = history;
  }

  /**
   * Checks the server and the publications (creating missing ones when configured), records our
   * walsender, ends an orphan of ours that holds the slot, and decides what to do with the slot.
   *
   * @throws ClassifiedException for a setup the source cannot stream with, naming the fix
   */
  Prepared prepare() throws Exception {
    ServerFacts facts = session.inspect();
    OwnWalsenders.Identity walsender =
        new OwnWalsenders.Identity(facts.backendPid(), session.backendStart(facts.backendPid()));
    ownWalsenders.add(walsender);
    ServerIdentity server = session.identifySystem();
    SetupChecks.checkServer(facts, settings);
    SetupChecks.checkOptions(facts, settings);
    ensurePublications(facts);
    SlotInfo slot = endOwnOrphan(session.slot(settings.slot().name(), facts), facts);
    SetupChecks.checkStandbyFeedback(facts, slot);
    StreamHistory.UnfinishedSnapshot unfinished = history.unfinishedSnapshot();
    if (unfinished == null
        && (slot == null ? SlotPlan.createsMissingSlot(settings) : !slot.invalidated())
        && settings.slot().snapshot() == SlotSettings.Snapshot.INITIAL
        && SnapshotMarker.exists(session.jdbc(), settings.slot().name())) {
      // An earlier process created this slot with a snapshot and ended (or shut down, dropping
      // the slot) before its consumer acknowledged anything after the snapshot: what that
      // consumer has may be a partial copy.
      log.warn(
          "slot {}: its initial snapshot was never completed (a process ended mid-snapshot);"
              + " taking it again on a new slot",
          settings.slot().name());
      unfinished = StreamHistory.UnfinishedSnapshot.DELIVERING;
    }
    return new Prepared(
        facts,
        server,
        walsender,
        slot,
        SlotPlan.decide(slot, settings, history.pendingReplacement(), unfinished));
  }

  /**
   * Before a (non-temporary) slot is created with a snapshot: marks the snapshot as started, so a
   * process that ends before it is completed leaves the mark for the next one ({@link
   * SnapshotMarker}). A temporary slot ends with its connection, so it needs none.
   */
  void markSnapshotStarted() throws SQLException {
    if (!settings.slot().temporary()) {
      SnapshotMarker.create(session.jdbc(), settings.slot().name());
    }
  }

  private void ensurePublications(ServerFacts facts) throws SQLException {
    List<String> missing = session.missingPublications(settings.publication().names());
    if (!missing.isEmpty() && settings.publication().createIfMissing()) {
      for (String publication : missing) {
        try {
          session.createPublication(publication, settings.publication().tables());
        } catch (SQLException e) {
          if (SqlStates.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
            throw SetupChecks.publicationNotCreatable(publication, settings, e);
          }
          throw e;
        }
        log.info(
            "created publication {} for {}",
            publication,
            settings.publication().tables().isEmpty()
                ? "all tables"
                : settings.publication().tables());
      }
      missing = session.missingPublications(settings.publication().names());
    }
    SetupChecks.checkPublications(missing, facts, settings);
  }

  /**
   * When the slot is held by a walsender that an earlier connection of this source started and that
   * outlived it (see {@link OwnWalsenders}), terminates it and returns the slot as it is afterwards
   * (gone, when the orphan was still creating it). Anyone else's walsender is left alone: the slot
   * plan reports it BUSY.
   */
  private SlotInfo endOwnOrphan(SlotInfo slot, ServerFacts facts) throws Exception {
    if (slot == null || slot.activePid() == null || slot.activePid() == facts.backendPid()) {
      return slot;
    }
    int pid = slot.activePid();
    if (!ownWalsenders.contains(new OwnWalsenders.Identity(pid, session.backendStart(pid)))) {
      return slot;
    }
    log.warn(
        "slot {}: PID {} is an orphan of this source, the walsender of an earlier connection of ours that"
            + " outlived it{} and still holds the slot; terminating it",
        settings.slot().name(),
        pid,
        slot.confirmedFlushLsn().isValid() ? "" : " while creating the slot");
    session.terminateBackend(pid);
    long deadline = System.nanoTime() + ORPHAN_EXIT_WAIT.toNanos();
    SlotInfo now = session.slot(settings.slot().name(), facts);
    while (now != null
        && now.activePid() != null
        && now.activePid() == pid
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
      now = session.slot(settings.slot().name(), facts);
    }
    return now;
  }

  /** The error for a slot plan that refuses. */
  Exception refusal(SlotPlan.Refusal refusal, SlotInfo slot) throws Exception {
    return refusal == SlotPlan.Refusal.INVALIDATED
        ? SetupChecks.invalidated(slot, settings, null)
        : busy(slot);
  }

  /**
   * Drops an invalidated slot so it can be created again. The replacement is remembered in the
   * history <em>before</em> the drop: should the creation fail, the next attempt still creates the
   * slot (whatever create-if-missing says) and still announces the gap.
   */
  void dropForReplacement(ResyncRequired replacement) throws SQLException {
    log.warn(
        "slot {}: {}; dropping and re-creating it (slot.on-invalidated = recreate). Changes after {} are lost"
            + " to this consumer: it gets a RESYNC_REQUIRED element",
        settings.slot().name(),
        replacement.reason(),
        replacement.lastConfirmedLsn());
    history.replacingSlot(replacement);
    session.dropSlot(settings.slot().name());
  }

  /**
   * Drops a slot whose initial snapshot was interrupted, so it can be created with a new one. Like
   * a replacement, the announcement is remembered before the drop.
   */
  void dropForSnapshotRetake(ResyncRequired resync, boolean dropFirst) throws SQLException {
    log.warn(
        "slot {}: its initial snapshot was interrupted; {} the slot to take a new one{}",
        settings.slot().name(),
        dropFirst ? "dropping and re-creating" : "creating",
        resync == null ? "" : " (the consumer gets a RESYNC_REQUIRED element first)");
    if (resync != null) {
      history.replacingSlot(resync);
    }
    if (dropFirst) {
      session.dropSlot(settings.slot().name());
    }
  }

  /** The slot's row after we created it. */
  SlotInfo created(ServerFacts facts) throws SQLException {
    log.info(
        "created replication slot {} (pgoutput{}{})",
        settings.slot().name(),
        settings.slot().temporary() ? ", temporary" : "",
        settings.slot().failover() ? ", failover" : "");
    return session.slot(settings.slot().name(), facts);
  }

  /**
   * Checks the slot can be streamed by us: it exists, fits the source, and nobody else holds it.
   */
  void verify(SlotInfo slot, ServerFacts facts, ServerIdentity server) throws Exception {
    if (slot == null && promotedSinceLastStart(server)) {
      throw SetupChecks.slotLostInFailover(settings, history.lastTimeline(), server.timeline());
    }
    SetupChecks.checkSlot(slot, facts, settings);
    if (!settings.slot().twoPhase()
        && facts.majorVersion() >= 15
        && session.slotTwoPhase(slot.name())) {
      throw SetupChecks.twoPhaseSlotWithoutTwoPhase(settings);
    }
    // A temporary slot is held by the session that created it: ours.
    if (slot.activePid() != null && slot.activePid() != facts.backendPid()) {
      throw busy(slot);
    }
  }

  /**
   * The source streamed before, from this cluster on an earlier timeline: the server is a standby
   * promoted since (or a restore), and a slot that is missing here stayed behind on the old
   * primary.
   */
  private boolean promotedSinceLastStart(ServerIdentity server) {
    int before = history.lastTimeline();
    return before != 0 && before != server.timeline();
  }

  private ClassifiedException busy(SlotInfo slot) throws SQLException {
    ReplicationSession.Backend holder = session.describeBackend(slot.activePid());
    String app =
        holder.applicationName() == null || holder.applicationName().isEmpty()
            ? null
            : holder.applicationName();
    return new ClassifiedException(
        new Classification(
            ErrorClass.BUSY,
            "replication slot \""
                + settings.slot().name()
                + "\" is active for "
                + holder.describe(),
            null,
            FailureKind.OTHER,
            null,
            new Classification.SlotHolder(holder.pid(), app)),
        null);
  }

  /**
   * The RESYNC_REQUIRED this start needs, or null when it continues what the source delivered: a
   * replacement of our own slot not yet announced, or a start that {@link StreamHistory} cannot
   * prove continuous (another cluster or timeline, a slot this source did not have before, WAL that
   * no longer reaches what was received).
   *
   * @param slotCreated whether this connection created the slot (not counting a replacement)
   * @param confirmedBefore what the source had confirmed before this start
   * @param receivedBefore the highest position the source's connections received before this start
   */
  ResyncRequired continuity(
      ServerIdentity server,
      SlotInfo slot,
      boolean slotCreated,
      Lsn confirmedBefore,
      Lsn receivedBefore) {
    ResyncRequired own = history.pendingReplacement();
    if (own != null) {
      return new ResyncRequired(
          own.slotName(), own.lastConfirmedLsn(), slot.confirmedFlushLsn(), own.reason());
    }
    String why =
        history.discontinuity(
            server,
            slot,
            slotCreated,
            settings.slot().temporary(),
            confirmedBefore,
            receivedBefore,
            timelineHistory(server));
    if (why == null) {
      return null;
    }
    if (!settings.slot().temporary()) {
      log.warn(
          "slot {}: {}; streaming from {} and announcing RESYNC_REQUIRED: changes after {} may never have"
              + " been delivered",
          settings.slot().name(),
          why,
          slot.confirmedFlushLsn(),
          confirmedBefore);
    }
    return new ResyncRequired(
        settings.slot().name(), confirmedBefore, slot.confirmedFlushLsn(), why);
  }

  /**
   * The history of the server's timeline when it differs from the one the source streamed on before
   * (a promotion), or null: not needed, or not readable (then the timeline change counts as a
   * break, as it did before).
   */
  private TimelineHistory timelineHistory(ServerIdentity server) {
    int before = history.lastTimeline();
    if (before == 0 || before == server.timeline() || server.timeline() < 2) {
      return null;
    }
    try {
      TimelineHistory timelines = session.timelineHistory(server.timeline());
      log.info(
          "slot {}: the server is on timeline {} (the source streamed on {} before), which forked"
              + " from it at {}",
          settings.slot().name(),
          server.timeline(),
          before,
          timelines.switchpoint(before));
      return timelines;
    } catch (SQLException | RuntimeException e) {
      log.warn(
          "slot {}: could not read the history of timeline {}: {}",
          settings.slot().name(),
          server.timeline(),
          e.toString());
      return null;
    }
  }

  /**
   * START_REPLICATION from {@code from}, with a refusal turned into an error that names the fix.
   */
  void startStreaming(Lsn from, SlotInfo slot, ServerFacts facts, boolean binary) throws Exception {
    try {
      session.startStreaming(from, facts, binary);
    } catch (SQLException e) {
      throw SetupChecks.classifyStartFailure(e, slot, settings);
    }
  }
}
