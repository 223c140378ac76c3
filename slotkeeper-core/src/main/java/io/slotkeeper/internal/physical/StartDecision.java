package io.slotkeeper.internal.physical;

import io.slotkeeper.Lsn;
import java.util.Optional;

/**
 * Where archiving starts, in this order (issue 14; pg_receivewal asks only the directory and then
 * the server's current position, which is how it silently skipped WAL when restarted with an empty
 * directory):
 *
 * <ol>
 *   <li>the newest segment in the directory: a {@code .partial} one is streamed again from its
 *       start, after a complete one the next segment starts;
 *   <li>the slot's {@code restart_lsn} (and timeline), from {@code READ_REPLICATION_SLOT} (15+) or
 *       {@code pg_replication_slots} (13/14);
 *   <li>nothing known: refuse, saying how much WAL could be missing, unless the gap is allowed, in
 *       which case the server's current position (IDENTIFY_SYSTEM) is the start, and that is said.
 * </ol>
 *
 * Every start is the start of a segment, as pg_receivewal's: a segment file is then always written
 * from its first byte. Pure, so each branch is unit-tested.
 */
final class StartDecision {
  private StartDecision() {}

  /** Where the start came from. */
  enum Origin {
    DIRECTORY,
    READ_REPLICATION_SLOT,
    PG_REPLICATION_SLOTS,
    SERVER_POSITION_GAP_ALLOWED
  }

  /** The slot's position as the server keeps it; {@code timeline} 0 when the server did not say. */
  record SlotPosition(Lsn restartLsn, int timeline, boolean fromReadReplicationSlot) {}

  sealed interface Decision {}

  record Start(Lsn lsn, int timeline, Origin origin, String explanation) implements Decision {}

  record Refuse(String problem, String remediation) implements Decision {}

  /**
   * @param newest the newest segment file in the directory, if any
   * @param slot the slot's position, empty when there is no slot (or it has no restart_lsn)
   * @param serverPosition IDENTIFY_SYSTEM's xlogpos
   * @param serverTimeline IDENTIFY_SYSTEM's timeline
   */
  static Decision decide(
      WalSegments segments,
      Optional<WalSegments.SegmentFile> newest,
      Optional<SlotPosition> slot,
      String slotName,
      Lsn serverPosition,
      int serverTimeline,
      boolean allowGap) {
    if (newest.isPresent()) {
      WalSegments.SegmentFile f = newest.get();
      long segment = f.partial() ? f.segmentNumber() : f.segmentNumber() + 1;
      Lsn start = segments.segmentStartOf(segment);
      return new Start(
          start,
          f.timeline(),
          Origin.DIRECTORY,
          (f.partial() ? "continuing the partial segment " : "after the complete segment ")
              + f.fileName()
              + " in the directory");
    }
    if (slot.isPresent() && slot.get().restartLsn().isValid()) {
      SlotPosition p = slot.get();
      int timeline = p.timeline() > 0 ? p.timeline() : serverTimeline;
      return new Start(
          segments.segmentStart(p.restartLsn()),
          timeline,
          p.fromReadReplicationSlot() ? Origin.READ_REPLICATION_SLOT : Origin.PG_REPLICATION_SLOTS,
          "the directory has no segment; slot "
              + slotName
              + " keeps WAL from "
              + p.restartLsn()
              + (p.fromReadReplicationSlot()
                  ? " (READ_REPLICATION_SLOT)"
                  : " (pg_replication_slots)"));
    }
    Lsn gapStart = segments.segmentStart(serverPosition);
    if (allowGap) {
      return new Start(
          gapStart,
          serverTimeline,
          Origin.SERVER_POSITION_GAP_ALLOWED,
          "the directory has no segment and "
              + (slot.isPresent() ? "slot " + slotName + " reserves no WAL" : "there is no slot")
              + "; starting at the server's current position "
              + serverPosition
              + " because the gap is allowed: WAL before "
              + gapStart
              + " is NOT archived");
    }
    return new Refuse(
        "the directory has no segment and "
            + (slot.isPresent()
                ? "slot " + slotName + " reserves no WAL"
                : slotName.isEmpty() ? "no slot is used" : "there is no slot " + slotName)
            + ", so nothing says where the archive should continue; starting at the server's"
            + " current position "
            + serverPosition
            + " would miss every segment before "
            + segments.fileName(serverTimeline, segments.segmentNumber(serverPosition))
            + " that this archive has not written before (from its last segment, wherever that"
            + " was kept, up to "
            + gapStart
            + ")",
        "restore the directory's segments, or create the slot (--create-slot) so the server keeps"
            + " WAL for the archive, or accept the gap with --allow-gap");
  }
}
