package io.slotkeeper;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

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

  /** In which order the initial snapshot reads a table's rows ({@code slot.snapshot-order}). */
  public enum SnapshotOrder {
    /**
     * As the table stores them: a sequential scan, the fastest read (what {@code COPY table TO
     * STDOUT} does). With more readers than tables a table is split into block ranges on PostgreSQL
     * 14+ (a TID range scan each, with or without a primary key), into primary-key ranges on 13
     * (each read in key order, so it is an index range scan).
     */
    STORAGE,
    /**
     * By primary key (a table without one: as stored): each table, or key range of one, is read by
     * an ordered index scan, slower than a sequential one.
     */
    KEY
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
  private final SnapshotOrder snapshotOrder;
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
      SnapshotOrder snapshotOrder,
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
    this.snapshotOrder = Objects.requireNonNull(snapshotOrder, "snapshotOrder");
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
    return copy(c -> c.name = v);
  }

  public SlotSettings withCreateIfMissing(boolean v) {
    return copy(c -> c.createIfMissing = v);
  }

  public SlotSettings withTemporary(boolean v) {
    return copy(c -> c.temporary = v);
  }

  public SlotSettings withFailover(boolean v) {
    return copy(c -> c.failover = v);
  }

  public SlotSettings withDropOnStop(boolean v) {
    return copy(c -> c.dropOnStop = v);
  }

  public SlotSettings withOnInvalidated(OnInvalidated v) {
    return copy(c -> c.onInvalidated = v);
  }

  public SlotSettings withHealInterval(Duration v) {
    return copy(c -> c.healInterval = v);
  }

  /** Terminate creation blockers after this long; null never terminates. */
  public SlotSettings withTerminateBlockersAfter(Duration v) {
    return copy(c -> c.terminateBlockersAfter = Optional.ofNullable(v));
  }

  /** Whether a slot this source creates starts with a snapshot ({@code slot.snapshot}). */
  public Snapshot snapshot() {
    return snapshot;
  }

  /**
   * Rows per snapshot chunk ({@code slot.snapshot-chunk-size}): what a reader takes from its COPY
   * at a time (and holds), and what the stream takes at a time while the snapshot runs.
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

  /** In which order the initial snapshot reads a table's rows ({@code slot.snapshot-order}). */
  public SnapshotOrder snapshotOrder() {
    return snapshotOrder;
  }

  public SlotSettings withSnapshotOrder(SnapshotOrder v) {
    return copy(c -> c.snapshotOrder = v);
  }

  public SlotSettings withSnapshot(Snapshot v) {
    return copy(c -> c.snapshot = v);
  }

  public SlotSettings withSnapshotChunkSize(int v) {
    return copy(c -> c.snapshotChunkSize = v);
  }

  public SlotSettings withSnapshotReaders(int v) {
    return copy(c -> c.snapshotReaders = v);
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
    return copy(c -> c.twoPhase = v);
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
        + ", snapshotOrder="
        + snapshotOrder
        + ", twoPhase="
        + twoPhase
        + ")";
  }

  /**
   * A mutable copy of every field, so each {@code withXxx} names only the field it changes instead
   * of repeating the whole constructor.
   */
  private static final class Copy {
    String name;
    boolean createIfMissing;
    boolean temporary;
    boolean failover;
    boolean dropOnStop;
    OnInvalidated onInvalidated;
    Duration healInterval;
    Optional<Duration> terminateBlockersAfter;
    Snapshot snapshot;
    int snapshotChunkSize;
    int snapshotReaders;
    SnapshotOrder snapshotOrder;
    boolean twoPhase;

    Copy(SlotSettings s) {
      name = s.name;
      createIfMissing = s.createIfMissing;
      temporary = s.temporary;
      failover = s.failover;
      dropOnStop = s.dropOnStop;
      onInvalidated = s.onInvalidated;
      healInterval = s.healInterval;
      terminateBlockersAfter = s.terminateBlockersAfter;
      snapshot = s.snapshot;
      snapshotChunkSize = s.snapshotChunkSize;
      snapshotReaders = s.snapshotReaders;
      snapshotOrder = s.snapshotOrder;
      twoPhase = s.twoPhase;
    }
  }

  private SlotSettings copy(Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return new SlotSettings(
        c.name,
        c.createIfMissing,
        c.temporary,
        c.failover,
        c.dropOnStop,
        c.onInvalidated,
        c.healInterval,
        c.terminateBlockersAfter,
        c.snapshot,
        c.snapshotChunkSize,
        c.snapshotReaders,
        c.snapshotOrder,
        c.twoPhase);
  }
}
