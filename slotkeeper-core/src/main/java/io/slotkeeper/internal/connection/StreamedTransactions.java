package io.slotkeeper.internal.connection;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.internal.source.AckTarget;
import io.slotkeeper.internal.source.CommittableOffsetImpl;
import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.PgOutputDecoder;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.StreamAbort;
import io.slotkeeper.pgoutput.StreamCommit;
import io.slotkeeper.pgoutput.StreamStart;
import io.slotkeeper.pgoutput.StreamStop;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TypeInfo;
import io.slotkeeper.pgoutput.Update;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Streamed transactions (streaming = on or parallel) turned back into ordinary ones: every message
 * of a stream block goes to the {@link StreamedTransactionSpool} under the block's top-level xid,
 * Stream Abort drops the transaction or subtransaction there, and Stream Commit makes the spooled
 * transaction pending: {@link #nextPending} then hands it out one envelope at a time as Begin,
 * changes, Commit, with the positions of a non-streamed transaction (Begin and Commit carry Stream
 * Commit's commit LSN, the Commit's offset its end LSN), so the ledger dedupes and acknowledges it
 * exactly like one. The connection reads nothing from the server while a transaction is pending, so
 * nothing overtakes it.
 *
 * <p>Spooled messages are kept as received and decoded again at replay by a decoder of their own,
 * fed only this transaction's messages: pgoutput sends each relation's schema inside every streamed
 * transaction before its first change there (per top-level xid), so the transaction's own Relation
 * and Type messages are all the replay needs. The connection's decoder has already seen them too,
 * so its relation cache is current as usual.
 */
final class StreamedTransactions implements AutoCloseable {
  private static final long NO_BLOCK = -1;

  private final StreamedTransactionSpool spool;
  private final PgOutputDecoder replayDecoder;
  private final AckTarget ackTarget;
  private long blockXid = NO_BLOCK;
  private Pending pending;

  StreamedTransactions(
      StreamedTransactionSpool spool, PgOutputDecoder replayDecoder, AckTarget ackTarget) {
    this.spool = spool;
    this.replayDecoder = replayDecoder;
    this.ackTarget = ackTarget;
  }

  /**
   * Takes a streaming message, or any message inside a stream block; false for anything else. After
   * a Stream Commit, {@link #nextPending} has the transaction.
   */
  boolean take(PgOutputMessage m, ByteBuffer payload, Lsn walStart) throws IOException {
    if (m instanceof StreamStart s) {
      blockXid = s.xid();
      return true;
    }
    if (m instanceof StreamStop) {
      blockXid = NO_BLOCK;
      return true;
    }
    if (m instanceof StreamAbort a) {
      spool.abort(a.xid(), a.subXid());
      return true;
    }
    if (m instanceof StreamCommit c) {
      pending = new Pending(spool.commit(c.xid()), c);
      return true;
    }
    if (blockXid == NO_BLOCK) {
      return false;
    }
    ByteBuffer copy = payload.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    spool.add(blockXid, xidOf(m), m instanceof Relation || m instanceof TypeInfo, walStart, bytes);
    return true;
  }

  /** The next envelope of a committed streamed transaction, or null when none is pending. */
  ChangeEnvelope nextPending() throws IOException {
    return pending == null ? null : pending.next();
  }

  /** See {@link StreamedTransactionSpool#oldestInProgress}. */
  Lsn oldestInProgress() {
    return spool.oldestInProgress();
  }

  /** True while the disk spool is full and nothing is pending to free it. */
  boolean diskFull() {
    return pending == null && spool.diskFull();
  }

  @Override
  public void close() {
    if (pending != null && pending.transaction != null) {
      try {
        spool.release(pending.transaction);
      } catch (IOException ignored) {
        // best effort: the connection is going away
      }
    }
    pending = null;
    spool.close();
  }

  private static long xidOf(PgOutputMessage m) {
    if (m instanceof Insert i) {
      return i.xid();
    } else if (m instanceof Update u) {
      return u.xid();
    } else if (m instanceof Delete d) {
      return d.xid();
    } else if (m instanceof Truncate t) {
      return t.xid();
    } else if (m instanceof LogicalMessage l) {
      return l.xid();
    } else if (m instanceof Relation r) {
      return r.xid();
    } else if (m instanceof TypeInfo t) {
      return t.xid();
    }
    throw new IllegalStateException(
        "unexpected " + m.getClass().getSimpleName() + " inside a stream block");
  }

  /**
   * A Stream Stop-less Stream Start for {@code xid}, so the replay decoder reads its xid prefix.
   */
  private static ByteBuffer streamStart(long xid) {
    ByteBuffer b = ByteBuffer.allocate(6);
    b.put((byte) StreamStart.TAG).putInt((int) xid).put((byte) 1).flip();
    return b;
  }

  /** One committed transaction being handed out. */
  private final class Pending {
    final SpooledTransaction transaction; // null: nothing of it was spooled
    private final StreamCommit commit;
    private final SpooledTransaction.Replay replay;
    private boolean beginSent;

    Pending(SpooledTransaction transaction, StreamCommit commit) throws IOException {
      this.transaction = transaction;
      this.commit = commit;
      this.replay = transaction == null ? null : transaction.replay();
      replayDecoder.reset();
      replayDecoder.decode(streamStart(commit.xid()));
    }

    ChangeEnvelope next() throws IOException {
      long xid = commit.xid();
      if (!beginSent) {
        beginSent = true;
        Lsn at =
            transaction == null || !transaction.firstLsn().isValid()
                ? commit.commitLsn()
                : transaction.firstLsn();
        return envelope(new Begin(commit.commitLsn(), commit.commitTime(), xid), at, false);
      }
      SpoolRecord r;
      while ((r = replay == null ? null : replay.next()) != null) {
        PgOutputMessage m = replayDecoder.decode(ByteBuffer.wrap(r.payload()));
        if (!r.schema()) {
          return envelope(m, r.walStart(), false);
        }
      }
      pending = null;
      if (transaction != null) {
        spool.release(transaction);
      }
      replayDecoder.reset();
      return ChangeEnvelope.of(
          new Commit(commit.flags(), commit.commitLsn(), commit.endLsn(), commit.commitTime()),
          commit.commitLsn(),
          xid,
          commit.commitLsn(),
          commit.commitTime(),
          new CommittableOffsetImpl(commit.endLsn(), true, ackTarget));
    }

    private ChangeEnvelope envelope(PgOutputMessage m, Lsn lsn, boolean unitEnd) {
      return ChangeEnvelope.of(
          m,
          lsn,
          commit.xid(),
          commit.commitLsn(),
          commit.commitTime(),
          new CommittableOffsetImpl(lsn, unitEnd, ackTarget));
    }
  }
}
