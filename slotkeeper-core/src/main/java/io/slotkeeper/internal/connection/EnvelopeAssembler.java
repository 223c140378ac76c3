package io.slotkeeper.internal.connection;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.internal.source.AckTarget;
import io.slotkeeper.internal.source.CommittableOffsetImpl;
import io.slotkeeper.internal.source.DeliveryLedger;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.BeginPrepare;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.CommitPrepared;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.Origin;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.PgTimestamps;
import io.slotkeeper.pgoutput.Prepare;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RollbackPrepared;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TypeInfo;
import io.slotkeeper.pgoutput.Update;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Turns decoded pgoutput messages into envelopes that carry their transaction's context (xid,
 * commit LSN and time, known from the Begin). Pure and per connection: a new connection starts
 * outside any transaction.
 */
final class EnvelopeAssembler implements AutoCloseable {
  private final AckTarget ackTarget;
  private final StreamedTransactions streamed;
  private Begin current;
  // The transaction being prepared (two-phase: BeginPrepare … Prepare), or null.
  private BeginPrepare currentPrepare;
  // The Origin message of the current transaction (it follows the Begin), or null.
  private Origin currentOrigin;
  // A Begin sent with walStart 0/0, which the server does when an Origin message follows in the
  // same callback: held until that Origin arrives, so that the BEGIN carries the origin too.
  private ChangeEnvelope heldBegin;
  // An envelope to hand out after a held Begin that no Origin followed (the server sends none when
  // the origin was dropped meanwhile).
  private ChangeEnvelope afterHeldBegin;

  /**
   * @param streamed where streamed transactions go (streaming = on or parallel), or null when the
   *     source did not ask for streaming, which makes any streaming message a protocol error
   */
  EnvelopeAssembler(AckTarget ackTarget, StreamedTransactions streamed) {
    this.ackTarget = ackTarget;
    this.streamed = streamed;
  }

  /**
   * The envelope for {@code message} (whose bytes are {@code payload}) received at {@code walStart}
   * in a frame sent at {@code sendTimeMicros} (PostgreSQL's microseconds), or null for messages
   * that only feed the decoder (Relation, Type, Origin) or go to the streamed-transaction spool.
   * After a Stream Commit it returns the Begin of that transaction; the rest follows from {@link
   * #nextPending}. An Origin is remembered and put on every envelope of its transaction ({@link
   * ChangeEnvelope#origin()}), its BEGIN included: a Begin whose walStart is 0/0 (the server's sign
   * that an Origin follows in the same callback) is held until the next message. The origin changes
   * no LSN: the ledger decides by the Begin's final LSN and the Commit's end LSN, never by that 0/0
   * walStart.
   */
  ChangeEnvelope assemble(
      PgOutputMessage message, ByteBuffer payload, Lsn walStart, long sendTimeMicros)
      throws IOException {
    if (heldBegin != null) {
      ChangeEnvelope begin = heldBegin;
      heldBegin = null;
      if (message instanceof Origin o) {
        currentOrigin = o;
        return begin.withOrigin(o);
      }
      // No Origin after all: the Begin goes first, this message's envelope right after it.
      afterHeldBegin = assemble(message, payload, walStart, sendTimeMicros);
      return begin;
    }
    if (streamed != null && streamed.take(message, payload, walStart)) {
      return streamed.nextPending();
    }
    ChangeEnvelope e = assembleWithoutOrigin(message, walStart, sendTimeMicros);
    if (e != null
        && (e.kind() == ChangeEnvelope.Kind.BEGIN || e.kind() == ChangeEnvelope.Kind.BEGIN_PREPARE)
        && !walStart.isValid()) {
      heldBegin = e;
      return null;
    }
    return e == null || currentOrigin == null ? e : e.withOrigin(currentOrigin);
  }

  private ChangeEnvelope assembleWithoutOrigin(
      PgOutputMessage message, Lsn walStart, long sendTimeMicros) {
    if (message instanceof Origin o) {
      if (current != null || currentPrepare != null) {
        currentOrigin = o;
      }
      return null;
    }
    if (message instanceof Relation || message instanceof TypeInfo) {
      return null;
    }
    if (message instanceof Begin b) {
      if (current != null || currentPrepare != null) {
        throw protocol("Begin of xid " + b.xid() + " inside transaction " + openXid());
      }
      current = b;
      currentOrigin = null;
      return inTransaction(walStart, message);
    }
    if (message instanceof Commit c) {
      Begin b = requireTransaction(message);
      current = null;
      Origin origin = currentOrigin;
      currentOrigin = null;
      ChangeEnvelope commit =
          ChangeEnvelope.of(
              c,
              c.commitLsn(),
              b.xid(),
              c.commitLsn(),
              c.commitTime(),
              new CommittableOffsetImpl(c.endLsn(), true, ackTarget));
      return origin == null ? commit : commit.withOrigin(origin);
    }
    ChangeEnvelope twoPhase = twoPhase(message, walStart);
    if (twoPhase != null) {
      return twoPhase;
    }
    if (message instanceof LogicalMessage m && !m.transactional()) {
      return ChangeEnvelope.of(
          m,
          m.lsn(),
          0,
          m.lsn(),
          // The only envelope that needs the frame's send time: made a time only here.
          PgTimestamps.fromPgMicros(sendTimeMicros),
          new CommittableOffsetImpl(
              DeliveryLedger.standaloneAckPosition(m.lsn()), true, ackTarget));
    }
    if (!(message instanceof Insert
        || message instanceof Update
        || message instanceof Delete
        || message instanceof Truncate
        || message instanceof LogicalMessage)) {
      // Streaming messages only come when asked for, and StreamedTransactions takes them all.
      throw protocol("unexpected " + message.getClass().getSimpleName() + " message");
    }
    requireTransaction(message);
    return inTransaction(walStart, message);
  }

  /**
   * The envelope of a two-phase message (slot.two-phase), or null for any other message. A prepared
   * transaction is BeginPrepare, changes, Prepare, with the PREPARE record's start as its commit
   * LSN and the Prepare's offset at that record's end; COMMIT PREPARED and ROLLBACK PREPARED come
   * later on their own, outside any transaction, each acknowledged at the end of its record (a
   * rollback carries no start). See docs/architecture.md, "What each LSN means".
   */
  private ChangeEnvelope twoPhase(PgOutputMessage message, Lsn walStart) {
    if (message instanceof BeginPrepare b) {
      if (current != null || currentPrepare != null) {
        throw protocol("Begin Prepare of xid " + b.xid() + " inside transaction " + openXid());
      }
      currentPrepare = b;
      currentOrigin = null;
      return inTransaction(walStart, message);
    }
    if (message instanceof Prepare p) {
      if (currentPrepare == null || currentPrepare.xid() != p.xid()) {
        throw protocol("Prepare of xid " + p.xid() + " without its Begin Prepare");
      }
      currentPrepare = null;
      Origin origin = currentOrigin;
      currentOrigin = null;
      ChangeEnvelope prepare =
          ChangeEnvelope.of(
              p,
              p.prepareLsn(),
              p.xid(),
              p.prepareLsn(),
              p.prepareTime(),
              new CommittableOffsetImpl(p.endLsn(), true, ackTarget));
      return origin == null ? prepare : prepare.withOrigin(origin);
    }
    if (message instanceof CommitPrepared c) {
      requireNoTransaction(message);
      return ChangeEnvelope.of(
          c,
          c.commitLsn(),
          c.xid(),
          c.commitLsn(),
          c.commitTime(),
          new CommittableOffsetImpl(c.endLsn(), true, ackTarget));
    }
    if (message instanceof RollbackPrepared r) {
      requireNoTransaction(message);
      return ChangeEnvelope.of(
          r,
          r.rollbackEndLsn(),
          r.xid(),
          r.rollbackEndLsn(),
          r.rollbackTime(),
          new CommittableOffsetImpl(r.rollbackEndLsn(), true, ackTarget));
    }
    return null;
  }

  private void requireNoTransaction(PgOutputMessage message) {
    if (current != null || currentPrepare != null) {
      throw protocol(message.getClass().getSimpleName() + " inside transaction " + openXid());
    }
  }

  private long openXid() {
    return current != null ? current.xid() : currentPrepare.xid();
  }

  /**
   * An envelope inside the current transaction; its offset is not a unit end (only the Commit's or
   * Prepare's is).
   */
  private ChangeEnvelope inTransaction(Lsn lsn, PgOutputMessage m) {
    if (currentPrepare != null) {
      return ChangeEnvelope.of(
          m,
          lsn,
          currentPrepare.xid(),
          currentPrepare.prepareLsn(),
          currentPrepare.prepareTime(),
          new CommittableOffsetImpl(lsn, false, ackTarget));
    }
    return ChangeEnvelope.of(
        m,
        lsn,
        current.xid(),
        current.finalLsn(),
        current.commitTime(),
        new CommittableOffsetImpl(lsn, false, ackTarget));
  }

  /** The next envelope of a committed streamed transaction being handed out, or null. */
  ChangeEnvelope nextPending() throws IOException {
    if (afterHeldBegin != null) {
      ChangeEnvelope e = afterHeldBegin;
      afterHeldBegin = null;
      return e;
    }
    return streamed == null ? null : streamed.nextPending();
  }

  /**
   * What a server keepalive's WAL end may be reported as: never past the first spooled change of a
   * streamed transaction still in progress (see docs/architecture.md, "What each LSN means").
   */
  Lsn confirmableWalEnd(Lsn walEnd) {
    Lsn oldest = streamed == null ? null : streamed.oldestInProgress();
    return oldest == null ? walEnd : Lsn.min(walEnd, oldest);
  }

  /** True while the disk spool is full: the connection reads nothing until that changes. */
  boolean spoolFull() {
    return streamed != null && streamed.diskFull();
  }

  /** Discards whatever is spooled: a new connection receives it again from its start. */
  @Override
  public void close() {
    if (streamed != null) {
      streamed.close();
    }
  }

  private Begin requireTransaction(PgOutputMessage message) {
    if (current == null && !(currentPrepare != null && !(message instanceof Commit))) {
      throw protocol(message.getClass().getSimpleName() + " outside a transaction");
    }
    return current;
  }

  private static ClassifiedException protocol(String what) {
    return new ClassifiedException(
        new Classification(
            ErrorClass.FATAL,
            "replication protocol error: " + what,
            "check that the slot uses the pgoutput plugin; if it does, report this as a bug with the server version",
            FailureKind.INVALID_STREAM),
        null);
  }
}
