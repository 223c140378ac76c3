package io.slotkeeper;

import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.BeginPrepare;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.CommitPrepared;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.Origin;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Prepare;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RollbackPrepared;
import io.slotkeeper.pgoutput.StreamAbort;
import io.slotkeeper.pgoutput.StreamCommit;
import io.slotkeeper.pgoutput.StreamPrepare;
import io.slotkeeper.pgoutput.StreamStart;
import io.slotkeeper.pgoutput.StreamStop;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.Update;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One element of a replication source: a transaction boundary, a row change, a truncate or a
 * logical message, with where it sits in the WAL and in its transaction, and the offset to
 * acknowledge it with.
 */
public final class ChangeEnvelope {

  public enum Kind {
    BEGIN,
    INSERT,
    UPDATE,
    DELETE,
    TRUNCATE,
    MESSAGE,
    COMMIT,
    /** Not a change: the slot was re-created and there is a gap; see {@link #resync()}. */
    RESYNC_REQUIRED,
    /**
     * A row of the initial snapshot ({@code slot.snapshot = initial}): {@link #relation()} and
     * {@link #row()}, as the table stood at the slot's consistent point. Every SNAPSHOT element
     * comes before the first change; acknowledging one acknowledges nothing.
     */
    SNAPSHOT,
    /**
     * With {@code deliver-in-progress}: a block of a streamed transaction's changes starts ({@link
     * io.slotkeeper.pgoutput.StreamStart}: its xid, and whether it is the first block, which also
     * means "drop what you hold for this xid" after a reconnect). Acknowledges nothing.
     */
    STREAM_START,
    /** With {@code deliver-in-progress}: the current block ends. Acknowledges nothing. */
    STREAM_STOP,
    /**
     * With {@code deliver-in-progress}: the streamed transaction committed ({@link
     * io.slotkeeper.pgoutput.StreamCommit}); its offset acknowledges it like a Commit's.
     */
    STREAM_COMMIT,
    /**
     * With {@code deliver-in-progress}: the streamed transaction or one of its subtransactions
     * aborted ({@link io.slotkeeper.pgoutput.StreamAbort}). Acknowledges nothing.
     */
    STREAM_ABORT,
    /**
     * With {@code deliver-in-progress} and {@code slot.two-phase = on}: the streamed transaction
     * was prepared as its GID ({@link io.slotkeeper.pgoutput.StreamPrepare}), after its changes
     * went out in progress. Acknowledged like a {@link #PREPARE}: its offset (the END of the
     * PREPARE record) acknowledges it, and afterwards only its COMMIT_PREPARED or ROLLBACK_PREPARED
     * comes; unacknowledged, the transaction is streamed again from its first segment after a
     * restart.
     */
    STREAM_PREPARE,
    /**
     * With {@code slot.two-phase = on}: a transaction that is being prepared starts ({@link
     * io.slotkeeper.pgoutput.BeginPrepare}, with its GID); its changes follow and a {@link
     * #PREPARE} ends it. Its {@link #commitLsn()}, and that of its changes, is the start of the
     * PREPARE record. Acknowledges nothing.
     */
    BEGIN_PREPARE,
    /**
     * With {@code slot.two-phase = on}: the transaction begun by {@link #BEGIN_PREPARE} is prepared
     * as its GID ({@link io.slotkeeper.pgoutput.Prepare}). Its offset acknowledges it (at the END
     * of the PREPARE record), and with it everything delivered before: once acknowledged, a restart
     * does not send it again, only its COMMIT_PREPARED or ROLLBACK_PREPARED. Unacknowledged, it
     * comes again after a restart. One exception: a transaction prepared before two-phase decoding
     * started at the slot (before the slot's consistent point, or before two-phase was turned on
     * for an existing slot) is sent whole, BEGIN_PREPARE to PREPARE, right before its
     * COMMIT_PREPARED; such a PREPARE acknowledges nothing (the slot already stands past its
     * record), and it comes again with its COMMIT_PREPARED until that is acknowledged. Recognise a
     * PREPARE you already applied by its GID.
     */
    PREPARE,
    /**
     * With {@code slot.two-phase = on}: COMMIT PREPARED of a GID ({@link
     * io.slotkeeper.pgoutput.CommitPrepared}); no BEGIN precedes it. Its offset acknowledges it (at
     * the end of its record) like a Commit's. After a restart it may arrive without its PREPARE in
     * the same run: the PREPARE was acknowledged before.
     */
    COMMIT_PREPARED,
    /**
     * With {@code slot.two-phase = on}: ROLLBACK PREPARED of a GID ({@link
     * io.slotkeeper.pgoutput.RollbackPrepared}); its {@link #lsn()} is the END of its record, which
     * is also where its offset acknowledges. The server sends it even for a transaction whose
     * PREPARE was never sent (prepared before two-phase decoding started at the slot): ignore a
     * ROLLBACK_PREPARED of a GID you do not know.
     */
    ROLLBACK_PREPARED
  }

  private final Kind kind;
  private final Lsn lsn;
  private final long xid;
  private final Lsn commitLsn;
  private final Instant commitTime;
  private final PgOutputMessage message;
  private final CommittableOffset offset;
  private final ResyncRequired resync;
  private final Relation snapshotRelation;
  private final TupleData row;
  private final Origin origin;
  private final boolean inProgress;

  /**
   * A control element announcing a gap, emitted before any change from a re-created slot. Built by
   * the engine; public, like {@link #of}, for the flow testkit and users' tests.
   */
  public static ChangeEnvelope resyncRequired(
      ResyncRequired resync, Instant at, CommittableOffset offset) {
    return new ChangeEnvelope(resync, at, offset);
  }

  private ChangeEnvelope(ResyncRequired resync, Instant at, CommittableOffset offset) {
    this.kind = Kind.RESYNC_REQUIRED;
    this.lsn = resync.newSlotStart();
    this.xid = 0;
    this.commitLsn = resync.newSlotStart();
    this.commitTime = at;
    this.message = null;
    this.offset = Objects.requireNonNull(offset);
    this.resync = resync;
    this.snapshotRelation = null;
    this.row = null;
    this.origin = null;
    this.inProgress = false;
  }

  /**
   * A row of the initial snapshot, read inside the snapshot the slot exported; values are the
   * server's text output, as pgoutput sends them. Built by the engine; public, like {@link #of},
   * for the flow testkit and users' tests.
   *
   * @param consistentPoint the slot's consistent point: the first change comes after it
   * @param at when the row was read
   */
  public static ChangeEnvelope snapshotRow(
      Relation relation, TupleData row, Lsn consistentPoint, Instant at, CommittableOffset offset) {
    return new ChangeEnvelope(relation, row, consistentPoint, at, offset);
  }

  private ChangeEnvelope(
      Relation relation, TupleData row, Lsn consistentPoint, Instant at, CommittableOffset offset) {
    this.kind = Kind.SNAPSHOT;
    this.lsn = Objects.requireNonNull(consistentPoint);
    this.xid = 0;
    this.commitLsn = consistentPoint;
    this.commitTime = at;
    this.message = null;
    this.offset = Objects.requireNonNull(offset);
    this.resync = null;
    this.snapshotRelation = Objects.requireNonNull(relation);
    this.row = Objects.requireNonNull(row);
    this.origin = null;
    this.inProgress = false;
  }

  /**
   * An envelope for a decoded pgoutput {@code message}; its kind follows from the message's type.
   * The engine builds every envelope a source emits through here. It is public for the flow testkit
   * ({@code io.slotkeeper.flowtestkit.javadsl.EnvelopeBuilder}, which also picks consistent LSNs)
   * and for users' own tests; there is no public constructor, so the representation may change and
   * an envelope cannot name a kind its message contradicts.
   *
   * @param lsn where the element sits in the WAL, as {@link #lsn()} describes per kind
   * @param xid the transaction id, 0 for a message sent outside a transaction
   * @param commitLsn the start of the transaction's commit record; for a standalone message its own
   *     {@code lsn}
   * @param commitTime the transaction's commit time; for a standalone message, when it was sent
   * @param offset what acknowledging this envelope acknowledges
   * @throws IllegalArgumentException for a message that is never an element of a source (Relation,
   *     Type, Origin, Stream Prepare)
   */
  public static ChangeEnvelope of(
      PgOutputMessage message,
      Lsn lsn,
      long xid,
      Lsn commitLsn,
      Instant commitTime,
      CommittableOffset offset) {
    return new ChangeEnvelope(
        kindOf(message), lsn, xid, commitLsn, commitTime, message, offset, false);
  }

  /**
   * An element of a streamed transaction that has not committed yet ({@code deliver-in-progress}):
   * a change, STREAM_START, STREAM_STOP or STREAM_ABORT. Its commit LSN is unknown ({@link
   * Lsn#INVALID}) and its commit time null; {@code xid} is the top-level transaction's (a change's
   * message carries its subtransaction's xid).
   */
  public static ChangeEnvelope inProgress(
      PgOutputMessage message, Lsn lsn, long xid, CommittableOffset offset) {
    return new ChangeEnvelope(kindOf(message), lsn, xid, Lsn.INVALID, null, message, offset, true);
  }

  private static Kind kindOf(PgOutputMessage message) {
    if (message instanceof Begin) {
      return Kind.BEGIN;
    } else if (message instanceof Insert) {
      return Kind.INSERT;
    } else if (message instanceof Update) {
      return Kind.UPDATE;
    } else if (message instanceof Delete) {
      return Kind.DELETE;
    } else if (message instanceof Truncate) {
      return Kind.TRUNCATE;
    } else if (message instanceof LogicalMessage) {
      return Kind.MESSAGE;
    } else if (message instanceof Commit) {
      return Kind.COMMIT;
    } else if (message instanceof StreamStart) {
      return Kind.STREAM_START;
    } else if (message instanceof StreamStop) {
      return Kind.STREAM_STOP;
    } else if (message instanceof StreamCommit) {
      return Kind.STREAM_COMMIT;
    } else if (message instanceof StreamAbort) {
      return Kind.STREAM_ABORT;
    } else if (message instanceof StreamPrepare) {
      return Kind.STREAM_PREPARE;
    } else if (message instanceof BeginPrepare) {
      return Kind.BEGIN_PREPARE;
    } else if (message instanceof Prepare) {
      return Kind.PREPARE;
    } else if (message instanceof CommitPrepared) {
      return Kind.COMMIT_PREPARED;
    } else if (message instanceof RollbackPrepared) {
      return Kind.ROLLBACK_PREPARED;
    }
    throw new IllegalArgumentException(
        "a "
            + (message == null ? "null" : message.getClass().getSimpleName())
            + " message is not an element of a replication source");
  }

  private ChangeEnvelope(
      Kind kind,
      Lsn lsn,
      long xid,
      Lsn commitLsn,
      Instant commitTime,
      PgOutputMessage message,
      CommittableOffset offset,
      boolean inProgress) {
    this.inProgress = inProgress;
    this.kind = Objects.requireNonNull(kind);
    this.lsn = Objects.requireNonNull(lsn);
    this.xid = xid;
    this.commitLsn = Objects.requireNonNull(commitLsn);
    this.commitTime = commitTime;
    this.message = Objects.requireNonNull(message);
    this.offset = Objects.requireNonNull(offset);
    this.resync = null;
    this.snapshotRelation = null;
    this.row = null;
    this.origin = null;
  }

  /** A copy of {@code from} carrying {@code origin}. */
  private ChangeEnvelope(ChangeEnvelope from, Origin origin) {
    this.kind = from.kind;
    this.lsn = from.lsn;
    this.xid = from.xid;
    this.commitLsn = from.commitLsn;
    this.commitTime = from.commitTime;
    this.message = from.message;
    this.offset = from.offset;
    this.resync = from.resync;
    this.snapshotRelation = from.snapshotRelation;
    this.row = from.row;
    this.inProgress = from.inProgress;
    this.origin = Objects.requireNonNull(origin, "origin");
  }

  /**
   * This envelope, carrying the replication origin of its transaction. Used by the engine for the
   * elements of a transaction that has one; public, like {@link #of}, for the flow testkit and
   * users' tests.
   */
  public ChangeEnvelope withOrigin(Origin origin) {
    return new ChangeEnvelope(this, origin);
  }

  /**
   * The replication origin of this element's transaction, when it has one: the origin's name and
   * the LSN the transaction had on its origin node ({@link Origin#commitLsn()}, {@code 0/0} when
   * the writing session did not set one with {@code pg_replication_origin_xact_setup}). A
   * transaction has an origin when the session that wrote it had one set: logical replication's
   * apply workers set it (origin {@code pg_<subscription oid>}), so this tells replayed changes
   * from local ones. Present on every element of such a transaction: BEGIN (whose {@link #lsn()} is
   * {@code 0/0}, as the server sends a Begin that an Origin message follows), changes, messages and
   * COMMIT; for a streamed transaction also STREAM_START, STREAM_STOP, STREAM_COMMIT and
   * STREAM_ABORT ({@code deliver-in-progress}). A streamed transaction's origin LSN is {@code 0/0}:
   * the server sends the Origin inside the first stream block, before the commit record that holds
   * the LSN exists, and Stream Commit does not carry it.
   */
  public Optional<Origin> origin() {
    return Optional.ofNullable(origin);
  }

  public Kind kind() {
    return kind;
  }

  /**
   * WAL position of this element, as the server sent it. What it points at depends on the kind
   * (checked against the walsender and pgoutput; docs/architecture.md, "What each LSN means"):
   *
   * <ul>
   *   <li>INSERT, UPDATE, DELETE, TRUNCATE: the start of the change's WAL record;
   *   <li>BEGIN: the start of the transaction's first record, or {@code 0/0} when the server sent
   *       another message right behind it (a Begin followed by an Origin);
   *   <li>MESSAGE (inside or outside a transaction): the END of the message's record, which is
   *       where the next record starts;
   *   <li>COMMIT: the start of the commit record (the commit LSN; its end is {@link
   *       io.slotkeeper.pgoutput.Commit#endLsn()});
   *   <li>PREPARE: the start of the PREPARE record; COMMIT_PREPARED: the start of its record;
   *       ROLLBACK_PREPARED: the END of its record (the server sends no start for it);
   *   <li>RESYNC_REQUIRED: where the new slot starts;
   *   <li>SNAPSHOT: the slot's consistent point, where the snapshot stands.
   * </ul>
   *
   * Use {@link #commitLsn()} to order transactions; use the offset, never this, to acknowledge.
   */
  public Lsn lsn() {
    return lsn;
  }

  /** Transaction id; 0 for a message sent outside a transaction. */
  public long xid() {
    return xid;
  }

  /**
   * Commit LSN of the transaction: the start of its commit record. For a message sent outside any
   * transaction: its own LSN, the end of its record.
   */
  public Lsn commitLsn() {
    return commitLsn;
  }

  /** Commit time of the transaction; for a standalone message, when the server sent it. */
  public Instant commitTime() {
    return commitTime;
  }

  /**
   * The decoded pgoutput message; null for {@link Kind#RESYNC_REQUIRED} and {@link Kind#SNAPSHOT}.
   */
  public PgOutputMessage message() {
    return message;
  }

  /** The gap a {@link Kind#RESYNC_REQUIRED} element announces. */
  public Optional<ResyncRequired> resync() {
    return Optional.ofNullable(resync);
  }

  /** The row of a {@link Kind#SNAPSHOT} element, one value per column of {@link #relation()}. */
  public Optional<TupleData> row() {
    return Optional.ofNullable(row);
  }

  /**
   * The table a row change, snapshot row or truncate is about (for a truncate of several tables:
   * the first).
   */
  public Optional<Relation> relation() {
    if (snapshotRelation != null) {
      return Optional.of(snapshotRelation);
    } else if (message instanceof Insert m) {
      return Optional.of(m.relation());
    } else if (message instanceof Update m) {
      return Optional.of(m.relation());
    } else if (message instanceof Delete m) {
      return Optional.of(m.relation());
    } else if (message instanceof Truncate m && !m.relations().isEmpty()) {
      return Optional.of(m.relations().get(0));
    }
    return Optional.empty();
  }

  /**
   * The global transaction identifier of a prepared transaction's element (BEGIN_PREPARE, PREPARE,
   * COMMIT_PREPARED, ROLLBACK_PREPARED); empty for every other kind.
   */
  public Optional<String> gid() {
    if (message instanceof BeginPrepare m) {
      return Optional.of(m.gid());
    } else if (message instanceof Prepare m) {
      return Optional.of(m.gid());
    } else if (message instanceof CommitPrepared m) {
      return Optional.of(m.gid());
    } else if (message instanceof RollbackPrepared m) {
      return Optional.of(m.gid());
    } else if (message instanceof StreamPrepare m) {
      return Optional.of(m.gid());
    }
    return Optional.empty();
  }

  /** What to acknowledge this envelope with: {@code committableOffset().commit()}. */
  public CommittableOffset committableOffset() {
    return offset;
  }

  public boolean isCommit() {
    return kind == Kind.COMMIT;
  }

  /**
   * True for an element of a streamed transaction delivered before it committed ({@code
   * deliver-in-progress}): it may still abort, and after a reconnect it may come again (from its
   * first STREAM_START). Its offset acknowledges nothing.
   */
  public boolean inProgress() {
    return inProgress;
  }

  @Override
  public String toString() {
    if (kind == Kind.SNAPSHOT) {
      return kind + "@" + lsn + " " + snapshotRelation.qualifiedName() + " " + row;
    }
    return kind + "@" + lsn + " xid=" + xid + " " + (resync != null ? resync : message);
  }
}
