package io.slotkeeper;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The replication slot: its name, whether and how it is created, dropped and replaced, and how a
 * blocked creation is healed ({@code slot-name} and the {@code slot} block of reference.conf).
 * Immutable; every {@code withXxx} returns a changed copy.
 */
public final class SlotSettings {

  /**
   * Whether a slot this source creates starts with a consistent copy of the published tables
   * ({@code slot.snapshot}).
   */
  public enum Snapshot {
    /** The slot is created without a snapshot: only changes after its creation are delivered. */
    OFF,
    /**
     * The slot is created exporting its snapshot; every published table is read inside it and
     * delivered as SNAPSHOT elements before the first change, which follows at the slot's
     * consistent point.
     */
    INITIAL
  }

  /** What to do with an invalidated slot ({@code slot.on-invalidated}). */
  public enum OnInvalidated {
    FAIL,
    RECREATE
  }

  private final String name;
  private final boolean createIfMissing;
  private final boolean temporary;
  private final boolean failover;
  private final boolean dropOnStop;
  private final OnInvalidated onInvalidated;
  private final Duration healInterval;
  private final Optional<Duration> terminateBlockersAfter;
  private final Snapshot snapshot;
  private final int snapshotChunkSize;
  private final int snapshotReaders;
  private final boolean twoPhase;

  SlotSettings(
      String name,
      boolean createIfMissing,
      boolean temporary,
      boolean failover,
      boolean dropOnStop,
      OnInvalidated onInvalidated,
      Duration healInterval,
      Optional<Duration> terminateBlockersAfter,
      Snapshot snapshot,
      int snapshotChunkSize,
      int snapshotReaders,
      boolean twoPhase) {
    this.name = Objects.requireNonNull(name, "name");
    this.createIfMissing = createIfMissing;
    this.temporary = temporary;
    this.failover = failover;
    this.dropOnStop = dropOnStop;
    this.onInvalidated = Objects.requireNonNull(onInvalidated, "onInvalidated");
    this.healInterval = Objects.requireNonNull(healInterval, "healInterval");
    this.terminateBlockersAfter =
        Objects.requireNonNull(terminateBlockersAfter, "terminateBlockersAfter");
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.snapshotChunkSize = snapshotChunkSize;
    this.snapshotReaders = snapshotReaders;
    this.twoPhase = twoPhase;
  }

  /** The slot's name ({@code slot-name}). */
  public String name() {
    return name;
  }

  /** Create the slot (pgoutput) when it does not exist. */
  public boolean createIfMissing() {
    return createIfMissing;
  }

  /** Create it TEMPORARY: the server drops it when the connection ends. */
  public boolean temporary() {
    return temporary;
  }

  /** Create it with FAILOVER true (PostgreSQL 17+). */
  public boolean failover() {
    return failover;
  }

  /** Drop the slot when the source shuts down cleanly. */
  public boolean dropOnStop() {
    return dropOnStop;
  }

  public OnInvalidated onInvalidated() {
    return onInvalidated;
  }

  /**
   * While a creation waits for running transactions, how often to name the blockers and heal
   * ({@code slot.creation.heal-interval}).
   */
  public Duration healInterval() {
    return healInterval;
  }

  /** Terminate creation blockers after waiting this long; empty means never. */
  public Optional<Duration> terminateBlockersAfter() {
    return terminateBlockersAfter;
  }

  public SlotSettings withName(String v) {
    return new SlotSettings(
        v,
        createIfMissing,
        temporary,
        failover,
        dropOnStop,
        onInvalidated,
        healInterval,
        terminateBlockersAfter,
        snapshot,
        snapshotChunkSize,
        snapshotReaders,
        twoPhase);
  }

  public SlotSettings withCreateIfMissing(boolean v) {
    return new SlotSettings(
        name,
        v,
        temporary,
        failover,
        dropOnStop,
        onInvalidated,
        healInterval,
        terminateBlockersAfter,
        snapshot,
        snapshotChunkSize,
        snapshotReaders,
        twoPhase);
  }

  public SlotSettings withTemporary(boolean v) {
    return new SlotSettings(
        name,
        createIfMissing,
        v,
        failover,
        dropOnStop,
        onInvalidated,
        healInterval,
        terminateBlockersAfter,
        snapshot,
        snapshotChunkSize,
        snapshotReaders,
        twoPhase);
  }

  public SlotSettings withFailover(boolean v) {
    return new SlotSettings(
        name,
        createIfMissing,
        temporary,
        v,
        dropOnStop,
        onInvalidated,
        healInterval,
        terminateBlockersAfter,
        snapshot,
        snapshotChunkSize,
        snapshotReaders,
        twoPhase);
  }

  public SlotSettings withDropOnStop(boolean v) {
    return new SlotSettings(
        name,
        createIfMissing,
        temporary,
        failover,
        v,
        onInvalidated,
        healInterval,
        terminateBlockersAfter,
        snapshot,
        snapshotChunkSize,
        snapshotReaders,
        twoPhase);
  }

  public SlotSettings withOnInvalidated(OnInvalidated v) {
    return new SlotSettings(
        name,
        createIfMissing,
        temporary,
        failover,
        dropOnStop,
        v,
        healInterval,
        terminateBlockersAfter,
        snapshot,
        snapshotChunkSize,
        snapshotReaders,
        twoPhase);
  }

  public SlotSettings withHealInterval(Duration v) {
    return new SlotSettings(
        name,
        createIfMissing,
        temporary,
        failover,
        dropOnStop,
        onInvalidated,
        v,
        terminateBlockersAfter,
        snapshot,
        snapshotChunkSize,
        snapshotReaders,
        twoPhase);
  }

  /** Terminate creation blockers after this long; null never terminates. */
  public SlotSettings withTerminateBlockersAfter(Duration v) {
    return new SlotSettings(
        name,
        createIfMissing,
        temporary,
        failover,
        dropOnStop,
        onInvalidated,
        healInterval,
        Optional.ofNullable(v),
        snapshot,
        snapshotChunkSize,
        snapshotReaders,
        twoPhase);
  }

  /** Whether a slot this source creates starts with a snapshot ({@code slot.snapshot}). */
  public Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Rows per snapshot chunk ({@code slot.snapshot-chunk-size}): one primary-key range of a table,
   * or the fetch size of the one cursor that reads a table without a primary key.
   */
  public int snapshotChunkSize() {
    return snapshotChunkSize;
  }

  /**
   * Ordinary connections that read the snapshot at once ({@code slot.snapshot-readers}), each
   * importing the exported snapshot and reading whole tables, one at a time; each holds at most one
   * chunk that the stream has not taken yet.
   */
  public int snapshotReaders() {
    return snapshotReaders;
  }

  public SlotSettings withSnapshot(Snapshot v) {
    return new SlotSettings(
        name,
        createIfMissing,
        temporary,
        failover,
        dropOnStop,
        onInvalidated,
        healInterval,
        terminateBlockersAfter,
        v,
        snapshotChunkSize,
        snapshotReaders,
        twoPhase);
  }

  public SlotSettings withSnapshotChunkSize(int v) {
    return new SlotSettings(
        name,
        createIfMissing,
        temporary,
        failover,
        dropOnStop,
        onInvalidated,
        healInterval,
        terminateBlockersAfter,
        snapshot,
        v,
        snapshotReaders,
        twoPhase);
  }

  public SlotSettings withSnapshotReaders(int v) {
    return new SlotSettings(
        name,
        createIfMissing,
        temporary,
        failover,
        dropOnStop,
        onInvalidated,
        healInterval,
        terminateBlockersAfter,
        snapshot,
        snapshotChunkSize,
        v,
        twoPhase);
  }

  /**
   * Decode prepared transactions at PREPARE time ({@code slot.two-phase}, PostgreSQL 15+): a slot
   * this source creates gets TWO_PHASE, and pgoutput is asked for {@code two_phase} (protocol
   * version 3+), so a transaction prepared with PREPARE TRANSACTION arrives as BEGIN_PREPARE,
   * changes, PREPARE, and later as COMMIT_PREPARED or ROLLBACK_PREPARED with its GID. Off: a
   * prepared transaction arrives as an ordinary transaction at COMMIT PREPARED, and not at all when
   * rolled back.
   */
  public boolean twoPhase() {
    return twoPhase;
  }

  public SlotSettings withTwoPhase(boolean v) {
    return new SlotSettings(
        name,
        createIfMissing,
        temporary,
        failover,
        dropOnStop,
        onInvalidated,
        healInterval,
        terminateBlockersAfter,
        snapshot,
        snapshotChunkSize,
        snapshotReaders,
        v);
  }

  @Override
  public String toString() {
    return "SlotSettings(name="
        + name
        + ", createIfMissing="
        + createIfMissing
        + ", temporary="
        + temporary
        + ", failover="
        + failover
        + ", dropOnStop="
        + dropOnStop
        + ", onInvalidated="
        + onInvalidated
        + ", healInterval="
        + healInterval
        + ", terminateBlockersAfter="
        + terminateBlockersAfter.map(Duration::toString).orElse("off")
        + ", snapshot="
        + snapshot
        + ", snapshotChunkSize="
        + snapshotChunkSize
        + ", snapshotReaders="
        + snapshotReaders
        + ", twoPhase="
        + twoPhase
        + ")";
  }
}
