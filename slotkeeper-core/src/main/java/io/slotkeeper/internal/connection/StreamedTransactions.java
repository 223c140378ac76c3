package io.slotkeeper.internal.connection;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.internal.source.AckTarget;
import io.slotkeeper.internal.source.CommittableOffsetImpl;
import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.BeginPrepare;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.Origin;
import io.slotkeeper.pgoutput.PgOutputDecoder;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Prepare;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.StreamAbort;
import io.slotkeeper.pgoutput.StreamCommit;
import io.slotkeeper.pgoutput.StreamPrepare;
import io.slotkeeper.pgoutput.StreamStart;
import io.slotkeeper.pgoutput.StreamStop;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TypeInfo;
import io.slotkeeper.pgoutput.Update;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

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
  private final boolean deliverInProgress;
  private long blockXid = NO_BLOCK;
  private Pending pending;

  /** With deliver-in-progress: envelopes ready to go, in stream order. */
  private final ArrayDeque<ChangeEnvelope> ready = new ArrayDeque<>();

  /**
   * With deliver-in-progress: the streamed transactions still open downstream, with the WAL start
   * of their first change (INVALID before one arrived).
   */
  private final Map<Long, Lsn> openFirst = new HashMap<>();

  /**
   * The Origin of each open streamed transaction that has one, by top-level xid. The server sends
   * it once, right after the transaction's first Stream Start (again after a reconnect, which
   * starts the transaction over), with LSN 0/0: the origin's LSN is in the commit record, and
   * Stream Commit does not carry it.
   */
  private final Map<Long, Origin> origins = new HashMap<>();

  /**
   * With deliver-in-progress: a STREAM_START sent with walStart 0/0, the server's sign that an
   * Origin follows in the same callback; held until the next message so it carries the origin too.
   */
  private ChangeEnvelope heldStart;

  /**
   * @param deliverInProgress pass stream messages through as in-progress envelopes instead of
   *     spooling them ({@code deliver-in-progress}); the spool then stays empty
   */
  StreamedTransactions(
      StreamedTransactionSpool spool,
      PgOutputDecoder replayDecoder,
      AckTarget ackTarget,
      boolean deliverInProgress) {
    this.spool = spool;
    this.replayDecoder = replayDecoder;
    this.ackTarget = ackTarget;
    this.deliverInProgress = deliverInProgress;
  }

  /**
   * Takes a streaming message, or any message inside a stream block; false for anything else. After
   * a Stream Commit, {@link #nextPending} has the transaction.
   */
  boolean take(PgOutputMessage m, ByteBuffer payload, Lsn walStart) throws IOException {
    if (deliverInProgress) {
      return passThrough(m, walStart);
    }
    if (m instanceof Origin o && blockXid != NO_BLOCK) {
      origins.put(blockXid, o);
      return true;
    }
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
      if (a.xid() == a.subXid()) {
        origins.remove(a.xid());
      }
      return true;
    }
    if (m instanceof StreamCommit c) {
      pending =
          new Pending(
              spool.commit(c.xid()),
              c.xid(),
              c.commitLsn(),
              c.commitTime(),
              new Begin(c.commitLsn(), c.commitTime(), c.xid()),
              new Commit(c.flags(), c.commitLsn(), c.endLsn(), c.commitTime()),
              c.endLsn(),
              origins.remove(c.xid()));
      return true;
    }
    if (m instanceof StreamPrepare p) {
      // Two-phase: the streamed transaction was prepared; it goes out as BeginPrepare, changes,
      // Prepare, exactly as a non-streamed prepared transaction (its COMMIT PREPARED comes later).
      pending =
          new Pending(
              spool.commit(p.xid()),
              p.xid(),
              p.prepareLsn(),
              p.prepareTime(),
              new BeginPrepare(p.prepareLsn(), p.endLsn(), p.prepareTime(), p.xid(), p.gid()),
              new Prepare(p.flags(), p.prepareLsn(), p.endLsn(), p.prepareTime(), p.xid(), p.gid()),
              p.endLsn(),
              origins.remove(p.xid()));
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

  /**
   * deliver-in-progress: every element of a streamed transaction goes out as it arrives, in stream
   * order; only STREAM_COMMIT and STREAM_PREPARE are units (their offsets the end of the commit or
   * PREPARE record, like a Commit's or a Prepare's). Relation and Type messages only feed the
   * connection's decoder, as outside stream blocks.
   */
  private boolean passThrough(PgOutputMessage m, Lsn walStart) {
    if (heldStart != null) {
      ChangeEnvelope start = heldStart;
      heldStart = null;
      if (m instanceof Origin o && blockXid != NO_BLOCK) {
        origins.put(blockXid, o);
        ready.add(start.withOrigin(o));
        return true;
      }
      ready.add(start);
    }
    if (m instanceof StreamStart s) {
      blockXid = s.xid();
      openFirst.putIfAbsent(s.xid(), Lsn.INVALID);
      if (s.firstSegment()) {
        origins.remove(s.xid()); // started over: its Origin, if any, comes again
      }
      ChangeEnvelope start = inProgress(m, walStart, s.xid());
      if (walStart.isValid()) {
        ready.add(start);
      } else {
        heldStart = start;
      }
      return true;
    }
    if (m instanceof StreamStop) {
      ready.add(inProgress(m, walStart, blockXid == NO_BLOCK ? 0 : blockXid));
      blockXid = NO_BLOCK;
      return true;
    }
    if (m instanceof StreamAbort a) {
      ready.add(inProgress(m, walStart, a.xid()));
      if (a.xid() == a.subXid()) {
        openFirst.remove(a.xid());
        origins.remove(a.xid());
      }
      return true;
    }
    if (m instanceof StreamCommit c) {
      openFirst.remove(c.xid());
      ready.add(
          withOrigin(
              ChangeEnvelope.of(
                  c,
                  c.commitLsn(),
                  c.xid(),
                  c.commitLsn(),
                  c.commitTime(),
                  new CommittableOffsetImpl(c.endLsn(), true, ackTarget)),
              origins.remove(c.xid())));
      return true;
    }
    if (m instanceof StreamPrepare p) {
      // Two-phase: prepared; like a Stream Commit it is the unit, acknowledged at the end of the
      // PREPARE record. Its COMMIT PREPARED or ROLLBACK PREPARED comes later, outside any stream.
      openFirst.remove(p.xid());
      ready.add(
          withOrigin(
              ChangeEnvelope.of(
                  p,
                  p.prepareLsn(),
                  p.xid(),
                  p.prepareLsn(),
                  p.prepareTime(),
                  new CommittableOffsetImpl(p.endLsn(), true, ackTarget)),
              origins.remove(p.xid())));
      return true;
    }
    if (blockXid == NO_BLOCK) {
      return false;
    }
    if (m instanceof Origin o) {
      origins.put(blockXid, o);
      return true;
    }
    if (m instanceof Relation || m instanceof TypeInfo) {
      return true;
    }
    if (walStart.isValid()) {
      openFirst.computeIfPresent(blockXid, (x, first) -> first.isValid() ? first : walStart);
    }
    ready.add(inProgress(m, walStart, blockXid));
    return true;
  }

  private ChangeEnvelope inProgress(PgOutputMessage m, Lsn lsn, long xid) {
    return withOrigin(
        ChangeEnvelope.inProgress(m, lsn, xid, new CommittableOffsetImpl(lsn, false, ackTarget)),
        origins.get(xid));
  }

  private static ChangeEnvelope withOrigin(ChangeEnvelope e, Origin origin) {
    return origin == null ? e : e.withOrigin(origin);
  }

  /** The next envelope ready to go, or null when none is. */
  ChangeEnvelope nextPending() throws IOException {
    ChangeEnvelope next = ready.poll();
    if (next != null) {
      return next;
    }
    return pending == null ? null : pending.next();
  }

  /** See {@link StreamedTransactionSpool#oldestInProgress}; the same for deliver-in-progress. */
  Lsn oldestInProgress() {
    if (!deliverInProgress) {
      return spool.oldestInProgress();
    }
    Lsn oldest = null;
    for (Lsn first : openFirst.values()) {
      if (first.isValid() && (oldest == null || first.isBefore(oldest))) {
        oldest = first;
      }
    }
    return oldest;
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
    heldStart = null;
    ready.clear();
    openFirst.clear();
    origins.clear();
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

  /**
   * One committed (Stream Commit) or prepared (Stream Prepare) transaction being handed out: {@code
   * begin}, the spooled changes, {@code end} (whose offset is {@code endLsn}).
   */
  private final class Pending {
    final SpooledTransaction transaction; // null: nothing of it was spooled
    private final long xid;
    private final Lsn commitLsn;
    private final Instant commitTime;
    private final PgOutputMessage begin;
    private final PgOutputMessage end;
    private final Lsn endLsn;
    private final SpooledTransaction.Replay replay;
    private final Origin origin; // null: the transaction has none
    private boolean beginSent;

    Pending(
        SpooledTransaction transaction,
        long xid,
        Lsn commitLsn,
        Instant commitTime,
        PgOutputMessage begin,
        PgOutputMessage end,
        Lsn endLsn,
        Origin origin)
        throws IOException {
      this.transaction = transaction;
      this.xid = xid;
      this.commitLsn = commitLsn;
      this.commitTime = commitTime;
      this.begin = begin;
      this.end = end;
      this.endLsn = endLsn;
      this.origin = origin;
      this.replay = transaction == null ? null : transaction.replay();
      replayDecoder.reset();
      replayDecoder.decode(streamStart(xid));
    }

    ChangeEnvelope next() throws IOException {
      if (!beginSent) {
        beginSent = true;
        Lsn at =
            transaction == null || !transaction.firstLsn().isValid()
                ? commitLsn
                : transaction.firstLsn();
        return envelope(begin, at, false);
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
      return withOrigin(
          ChangeEnvelope.of(
              end,
              commitLsn,
              xid,
              commitLsn,
              commitTime,
              new CommittableOffsetImpl(endLsn, true, ackTarget)),
          origin);
    }

    private ChangeEnvelope envelope(PgOutputMessage m, Lsn lsn, boolean unitEnd) {
      return withOrigin(
          ChangeEnvelope.of(
              m,
              lsn,
              xid,
              commitLsn,
              commitTime,
              new CommittableOffsetImpl(lsn, unitEnd, ackTarget)),
          origin);
    }
  }
}
