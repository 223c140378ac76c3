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
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.Origin;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TypeInfo;
import io.slotkeeper.pgoutput.Update;
import java.time.Instant;

/**
 * Turns decoded pgoutput messages into envelopes that carry their transaction's context (xid,
 * commit LSN and time, known from the Begin). Pure and per connection: a new connection starts
 * outside any transaction.
 */
final class EnvelopeAssembler {
  private final AckTarget ackTarget;
  private Begin current;
  // The Origin message of the current transaction (it follows the Begin), or null.
  private Origin currentOrigin;

  EnvelopeAssembler(AckTarget ackTarget) {
    this.ackTarget = ackTarget;
  }

  /**
   * The envelope for {@code message} received at {@code walStart}, or null for messages that only
   * feed the decoder (Relation, Type, Origin). An Origin is remembered and put on every further
   * envelope of its transaction ({@link ChangeEnvelope#origin()}); it changes no LSN: the ledger
   * decides by the Begin's final LSN and the Commit's end LSN, never by the 0/0 walStart the server
   * sends for a Begin that an Origin follows.
   */
  ChangeEnvelope assemble(PgOutputMessage message, Lsn walStart, Instant sendTime) {
    ChangeEnvelope e = assembleWithoutOrigin(message, walStart, sendTime);
    return e == null || currentOrigin == null ? e : e.withOrigin(currentOrigin);
  }

  private ChangeEnvelope assembleWithoutOrigin(
      PgOutputMessage message, Lsn walStart, Instant sendTime) {
    if (message instanceof Origin o) {
      if (current != null) {
        currentOrigin = o;
      }
      return null;
    }
    if (message instanceof Relation || message instanceof TypeInfo) {
      return null;
    }
    if (message instanceof Begin b) {
      if (current != null) {
        throw protocol("Begin of xid " + b.xid() + " inside transaction " + current.xid());
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
    if (message instanceof LogicalMessage m && !m.transactional()) {
      return ChangeEnvelope.of(
          m,
          m.lsn(),
          0,
          m.lsn(),
          sendTime,
          new CommittableOffsetImpl(
              DeliveryLedger.standaloneAckPosition(m.lsn()), true, ackTarget));
    }
    if (!(message instanceof Insert
        || message instanceof Update
        || message instanceof Delete
        || message instanceof Truncate
        || message instanceof LogicalMessage)) {
      // Streaming and two-phase messages only come when asked for, and this source does not ask.
      throw protocol("unexpected " + message.getClass().getSimpleName() + " message");
    }
    requireTransaction(message);
    return inTransaction(walStart, message);
  }

  /**
   * An envelope inside the current transaction; its offset is not a unit end (only the Commit's
   * is).
   */
  private ChangeEnvelope inTransaction(Lsn lsn, PgOutputMessage m) {
    return ChangeEnvelope.of(
        m,
        lsn,
        current.xid(),
        current.finalLsn(),
        current.commitTime(),
        new CommittableOffsetImpl(lsn, false, ackTarget));
  }

  private Begin requireTransaction(PgOutputMessage message) {
    if (current == null) {
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
