package io.slotkeeper.internal.connection;

import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.source.StreamHistory;

/**
 * What a connection does with the slot it found at connect, decided from the slot's row, the
 * settings and what the source already replaced: a pure function, so every branch is testable
 * without a server. Carrying the plan out (dropping, creating, streaming) is {@link
 * ConnectionSetup}'s and {@link ConnectionActor}'s job.
 */
sealed interface SlotPlan {

  /**
   * Verify the slot (it may be missing, which the check reports with the fix) and stream from it.
   */
  record Stream(SlotInfo slot) implements SlotPlan {}

  /**
   * The slot is missing and is to be created: configured so, temporary, or a replacement still
   * owed.
   */
  record Create() implements SlotPlan {}

  /** The slot was invalidated and is to be dropped and created again, announcing the gap. */
  record Replace(ResyncRequired replacement) implements SlotPlan {}

  /**
   * An initial snapshot of this slot was interrupted (its exported snapshot died with the
   * connection that created it): drop the slot ({@code dropFirst}; a shutdown mid-snapshot may have
   * dropped it already) and create it again with a new snapshot. {@code resync} is set when rows of
   * the interrupted snapshot were delivered, so the consumer learns to discard them.
   */
  record RetakeSnapshot(ResyncRequired resync, boolean dropFirst) implements SlotPlan {}

  /**
   * Nothing can be done now: the slot is held by another walsender, or invalidated and to be left
   * so.
   */
  record Refuse(Refusal refusal) implements SlotPlan {}

  enum Refusal {
    /** Another walsender holds the slot. */
    BUSY,
    /** Invalidated, and {@code slot.on-invalidated = fail}. */
    INVALIDATED
  }

  /**
   * @param slot the slot's row after our own orphans were ended, or null when it does not exist
   * @param pendingReplacement a replacement this source announced but has not created yet
   */
  static SlotPlan decide(
      SlotInfo slot, SourceSettings settings, ResyncRequired pendingReplacement) {
    return decide(slot, settings, pendingReplacement, null);
  }

  /**
   * @param unfinishedSnapshot an initial snapshot this source started and did not finish, or null
   */
  static SlotPlan decide(
      SlotInfo slot,
      SourceSettings settings,
      ResyncRequired pendingReplacement,
      StreamHistory.UnfinishedSnapshot unfinishedSnapshot) {
    if (slot != null && slot.invalidated()) {
      if (settings.slot().onInvalidated() != SlotSettings.OnInvalidated.RECREATE) {
        return new Refuse(Refusal.INVALIDATED);
      }
      if (slot.activePid() != null) {
        // Only the holder could drop it; dropping under it is not ours to do.
        return new Refuse(Refusal.BUSY);
      }
      String why =
          "slot "
              + settings.slot().name()
              + " was invalidated ("
              + slot.invalidationDescription()
              + ")";
      return new Replace(
          new ResyncRequired(settings.slot().name(), slot.confirmedFlushLsn(), Lsn.INVALID, why));
    }
    if (slot != null && unfinishedSnapshot != null) {
      if (slot.activePid() != null) {
        return new Refuse(Refusal.BUSY);
      }
      ResyncRequired resync =
          unfinishedSnapshot == StreamHistory.UnfinishedSnapshot.DELIVERING
              ? new ResyncRequired(
                  settings.slot().name(),
                  slot.confirmedFlushLsn(),
                  Lsn.INVALID,
                  "the initial snapshot was interrupted (its exported snapshot ended with the"
                      + " connection that created the slot); the snapshot starts again on a new slot:"
                      + " discard the snapshot rows received so far")
              : null;
      return new RetakeSnapshot(resync, true);
    }
    if (slot == null && unfinishedSnapshot == StreamHistory.UnfinishedSnapshot.DELIVERING) {
      // Rows of a snapshot went out and its slot is gone (a shutdown mid-snapshot drops it): the
      // new slot's snapshot must be announced as a new copy, or the consumer would merge it into
      // the partial one it has and keep rows deleted since.
      return new RetakeSnapshot(
          new ResyncRequired(
              settings.slot().name(),
              Lsn.INVALID,
              Lsn.INVALID,
              "the initial snapshot was interrupted and its slot dropped; the snapshot starts again"
                  + " on a new slot: discard the snapshot rows received so far"),
          false);
    }
    if (slot == null
        && (unfinishedSnapshot != null
            || createsMissingSlot(settings)
            || pendingReplacement != null)) {
      // A temporary slot ends with its connection, so each connection creates its own; a slot
      // this source dropped to replace it is re-created whatever create-if-missing says.
      return new Create();
    }
    return new Stream(slot);
  }

  /**
   * Whether the settings alone have a missing slot created: {@code create-if-missing}, or a
   * temporary slot (each connection creates its own). Shared with {@link ConnectionSetup}, which
   * must know before the plan whether a missing slot will be created with a snapshot.
   */
  static boolean createsMissingSlot(SourceSettings settings) {
    return settings.slot().createIfMissing() || settings.slot().temporary();
  }
}
