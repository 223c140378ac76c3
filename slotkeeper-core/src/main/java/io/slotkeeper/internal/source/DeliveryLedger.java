package io.slotkeeper.internal.source;

import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this running source has delivered downstream and what the consumer has acknowledged. Pure
 * bookkeeping, no I/O; it outlives every connection, which is what lets a reconnect resume from the
 * server's slot without delivering anything twice.
 *
 * <p>Units and their positions (checked against the walsender and pgoutput; see
 * docs/architecture.md, "What each LSN means"): a transaction is decided by its commit record,
 * whose START is the commit LSN (Begin.final_lsn, Commit.commit_lsn) and whose END is the Commit's
 * end LSN; a message written outside any transaction carries the END of its own record. On replay
 * the server skips a transaction whose commit record starts below the slot's confirmed position,
 * and a standalone message whose record starts below it. So a unit's <em>acknowledgement
 * position</em> is the end of its deciding record: the commit's end LSN, or the message's LSN as
 * sent. Confirming that position makes the server skip exactly that unit and everything before it,
 * and nothing that starts there (a commit record can start exactly at a standalone message's end).
 *
 * <p>Delivery: the server replays from the slot's confirmed position, which is at most what was
 * acknowledged, so after a reconnect it re-sends units this process already delivered. Units are
 * delivered in the order of their deciding records and do not overlap, so with {@link #highWater}
 * the acknowledgement position of the last unit delivered whole, a transaction whose commit record
 * starts below it, or a standalone message whose end is at or below it, was delivered already. A
 * transaction that was cut off part-way is recognised by its commit LSN and only the envelopes not
 * yet delivered pass.
 *
 * <p>Acknowledgement is cumulative, as with a Kafka offset: acknowledging a unit acknowledges every
 * unit delivered before it. A consumer that filters envelopes, drops one, or commits only the last
 * offset of a batch therefore never pins the slot. The confirmed position (what the slot may be
 * told) is the end of the longest prefix of delivered units that are all acknowledged. A server
 * keepalive's WAL end may be confirmed only while nothing delivered is unacknowledged and no
 * transaction is open, so an idle publication on a busy server does not pin WAL, yet the slot never
 * passes a unit the consumer has not acknowledged.
 */
@InternalApi
public final class DeliveryLedger {

  /** The verdict for one received envelope. */
  public enum Verdict {
    DELIVER,
    SKIP_DUPLICATE
  }

  private Lsn highWater = Lsn.INVALID;
  private Lsn confirmed;

  // The transaction being delivered (its Begin went downstream, its Commit not yet).
  private Lsn openCommitLsn;
  private long openDelivered;
  // Within the current connection: the transaction being received and how many envelopes seen.
  private boolean receivingTransaction;
  private boolean skippingTransaction;
  private long seenInTransaction;

  /**
   * Acknowledgement position of each delivered unit not yet confirmed → acknowledged? Entries are
   * acknowledged out of order only by the engine itself (its own heartbeats); a consumer's
   * acknowledgement covers every entry up to it.
   */
  private final TreeMap<Long, Boolean> outstanding = new TreeMap<>(Long::compareUnsigned);

  /**
   * deliver-in-progress: xid → acknowledgement position of each streamed transaction whose
   * STREAM_COMMIT went downstream, kept until a new connection's slot stands past it. Its chunks,
   * which carry no commit LSN, are recognised as replays by their xid when a reconnect re-streams
   * it (xids do not repeat within one history).
   */
  private final Map<Long, Lsn> streamedCommits = new HashMap<>();

  /**
   * Two-phase: the slot's confirmed position when the current connection started. The server
   * decodes from there, and the slot's two_phase_at lies at or before it, so a PREPARE whose record
   * starts below it can only be a late one: prepared before two_phase_at and sent whole right
   * before its COMMIT PREPARED (ReorderBufferFinishPrepared).
   */
  private Lsn connectionStart = Lsn.INVALID;

  /**
   * Two-phase: xid → end of its COMMIT PREPARED record (INVALID until that went downstream) of each
   * late PREPARE delivered. A late PREPARE comes again with every replay of its COMMIT PREPARED,
   * and its position says nothing about what was delivered (it is below the high-water mark), so it
   * is recognised by xid, until a connection starts past its COMMIT PREPARED. Only transactions
   * prepared before two_phase_at can be late, so this stays small.
   */
  private final Map<Long, Lsn> latePrepares = new HashMap<>();

  // The transaction being received is a late PREPARE, and its xid.
  private boolean receivingLatePrepare;
  private long receivingPrepareXid;

  private int unacknowledged;
  private Lsn walEndCandidate = Lsn.INVALID;

  private long deliveredTransactions;
  private long acknowledgedTransactions;
  private long skippedEnvelopes;

  public DeliveryLedger(Lsn confirmed) {
    this.confirmed = confirmed;
  }

  /** A new connection starts reading: whatever the previous one was receiving was cut off. */
  public void connectionStarted(Lsn slotConfirmed) {
    receivingTransaction = false;
    skippingTransaction = false;
    seenInTransaction = 0;
    connectionStart = slotConfirmed;
    // The server skips a COMMIT PREPARED whose record starts below the slot's position, and with
    // it the late PREPARE sent before it.
    latePrepares.values().removeIf(end -> end.isValid() && !end.isAfter(slotConfirmed));
    if (slotConfirmed.isAfter(confirmed)) {
      confirmed = slotConfirmed;
    }
    // The server skips every transaction whose commit record starts below the slot's position.
    streamedCommits.values().removeIf(end -> !end.isAfter(slotConfirmed));
  }

  /**
   * The slot was replaced by a new one starting at {@code newStart}: what the old slot delivered
   * can no longer be confirmed on the server, and a transaction it cut off will never complete.
   */
  public void resync(Lsn newStart) {
    // Nothing of the new history has been delivered: positions below the old high-water mark may
    // name new transactions now (a server with lower LSNs), so none may be dropped as duplicates.
    outstanding.clear();
    unacknowledged = 0;
    walEndCandidate = Lsn.INVALID;
    highWater = Lsn.INVALID;
    openCommitLsn = null;
    openDelivered = 0;
    receivingTransaction = false;
    skippingTransaction = false;
    streamedCommits.clear();
    latePrepares.clear();
    confirmed = newStart;
  }

  /**
   * An element of a streamed transaction delivered before it committed (deliver-in-progress): no
   * unit, delivered unless its transaction's STREAM_COMMIT already went downstream (a reconnect
   * re-streams an unconfirmed one from its start).
   */
  public Verdict streamChunk(long xid) {
    if (streamedCommits.containsKey(xid) || latePrepares.containsKey(xid)) {
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    return Verdict.DELIVER;
  }

  /**
   * A STREAM_COMMIT (deliver-in-progress): a unit like a Commit, deduped by its commit record's
   * start and acknowledged at its end.
   */
  public Verdict streamCommit(long xid, Lsn commitLsn, Lsn endLsn) {
    if (transactionDelivered(commitLsn)) {
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    delivered(endLsn, false);
    deliveredTransactions++;
    streamedCommits.put(xid, endLsn);
    if (streamedCommits.size() > MAX_STREAMED_COMMITS) {
      // Without a reconnect nothing re-streams a committed transaction; keep memory bounded by
      // forgetting the ones the ledger already confirmed.
      streamedCommits.values().removeIf(end -> !end.isAfter(confirmed));
    }
    return Verdict.DELIVER;
  }

  private static final int MAX_STREAMED_COMMITS = 10_000;

  /**
   * A STREAM_PREPARE (deliver-in-progress with two-phase): the streamed transaction was prepared. A
   * unit like a PREPARE: deduped by the PREPARE record's start, acknowledged at its end; its xid is
   * remembered like a STREAM_COMMIT's, so the chunks of a re-stream after a reconnect are known as
   * replays. A late one (its record starts below where this connection started: prepared before
   * two_phase_at, streamed right before its COMMIT PREPARED) acknowledges nothing and is known by
   * xid, as a late PREPARE is.
   */
  public Verdict streamPrepare(long xid, Lsn prepareLsn, Lsn endLsn) {
    if (prepareLsn.isBefore(connectionStart)) {
      if (latePrepares.containsKey(xid)) {
        skippedEnvelopes++;
        return Verdict.SKIP_DUPLICATE;
      }
      latePrepares.put(xid, Lsn.INVALID);
      return Verdict.DELIVER;
    }
    // Past the late case a prepared stream is handled exactly as a committed one.
    return streamCommit(xid, prepareLsn, endLsn);
  }

  /** The Begin of a transaction whose commit record starts at {@code commitLsn}. */
  public Verdict begin(Lsn commitLsn) {
    receivingTransaction = true;
    seenInTransaction = 1;
    if (transactionDelivered(commitLsn)) {
      skippingTransaction = true;
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    skippingTransaction = false;
    if (openCommitLsn == null || !openCommitLsn.equals(commitLsn)) {
      openCommitLsn = commitLsn;
      openDelivered = 0;
    }
    return countInOpenTransaction();
  }

  /** A change (or transactional message) inside the transaction being received. */
  public Verdict change() {
    if (!receivingTransaction) {
      throw new IllegalStateException("change received outside a transaction");
    }
    seenInTransaction++;
    if (skippingTransaction) {
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    return countInOpenTransaction();
  }

  /**
   * The Commit of the transaction being received; {@code endLsn} is the end of its commit record.
   */
  public Verdict commit(Lsn endLsn) {
    Verdict verdict = endTransaction("commit");
    if (verdict == Verdict.DELIVER) {
      delivered(endLsn, false);
      deliveredTransactions++;
    }
    return verdict;
  }

  /**
   * Two-phase: the BEGIN_PREPARE of a transaction whose PREPARE record starts at {@code
   * prepareLsn}. A PREPARE is a unit like a transaction, ordered and deduped by its record's start
   * and acknowledged at its end ({@link #prepare}), except a late one (its record starts below
   * where this connection started: prepared before the slot's two_phase_at, sent right before its
   * COMMIT PREPARED), which is recognised by xid and acknowledges nothing.
   */
  public Verdict beginPrepare(long xid, Lsn prepareLsn) {
    receivingTransaction = true;
    seenInTransaction = 1;
    receivingLatePrepare = prepareLsn.isBefore(connectionStart);
    receivingPrepareXid = xid;
    boolean delivered =
        receivingLatePrepare ? latePrepares.containsKey(xid) : prepareLsn.isBefore(highWater);
    if (delivered) {
      skippingTransaction = true;
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    skippingTransaction = false;
    if (openCommitLsn == null || !openCommitLsn.equals(prepareLsn)) {
      openCommitLsn = prepareLsn;
      openDelivered = 0;
    }
    return countInOpenTransaction();
  }

  /**
   * Two-phase: the PREPARE ending the transaction being received; {@code endLsn} is the end of the
   * PREPARE record, its acknowledgement position. Confirming it makes the server skip the PREPARE
   * on replay and send only the COMMIT PREPARED or ROLLBACK PREPARED (DecodePrepare skips a PREPARE
   * whose record starts below the confirmed position).
   */
  public Verdict prepare(Lsn endLsn) {
    Verdict verdict = endTransaction("prepare");
    if (verdict == Verdict.DELIVER) {
      if (receivingLatePrepare) {
        // The slot already stands past its record: nothing to acknowledge, and its position
        // must not move the high-water mark back.
        latePrepares.put(receivingPrepareXid, Lsn.INVALID);
      } else {
        delivered(endLsn, false);
        deliveredTransactions++;
      }
    }
    return verdict;
  }

  /**
   * The steps a Commit and a PREPARE share: the last envelope of the transaction being received
   * closes it; a skipped transaction ends skipped; a delivered one closes its open-transaction
   * count. The caller records the acknowledgement position when the verdict is DELIVER.
   */
  private Verdict endTransaction(String what) {
    if (!receivingTransaction) {
      throw new IllegalStateException(what + " received outside a transaction");
    }
    seenInTransaction++;
    receivingTransaction = false;
    if (skippingTransaction) {
      skippingTransaction = false;
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    Verdict verdict = countInOpenTransaction();
    if (verdict == Verdict.DELIVER) {
      openCommitLsn = null;
      openDelivered = 0;
    }
    return verdict;
  }

  /**
   * Two-phase: a COMMIT PREPARED, a unit of its own (no Begin): deduped by its record's start
   * {@code commitLsn}, acknowledged at its end {@code endLsn}, exactly like a Commit. Whether its
   * PREPARE went downstream in this run does not matter: the two are separate units.
   */
  public Verdict commitPrepared(long xid, Lsn commitLsn, Lsn endLsn) {
    if (transactionDelivered(commitLsn)) {
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    delivered(endLsn, false);
    deliveredTransactions++;
    latePrepares.computeIfPresent(xid, (x, end) -> endLsn);
    return Verdict.DELIVER;
  }

  /**
   * Two-phase: a ROLLBACK PREPARED, a unit of its own; the server sends only the END of its record
   * ({@code rollbackEndLsn}), so it is deduped by that end, like a standalone message, and
   * acknowledged there.
   */
  public Verdict rollbackPrepared(Lsn rollbackEndLsn) {
    if (!rollbackEndLsn.isAfter(highWater)) {
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    delivered(rollbackEndLsn, false);
    deliveredTransactions++;
    return Verdict.DELIVER;
  }

  /**
   * A transaction the engine wrote itself (a heartbeat) and acknowledges on the consumer's behalf:
   * nothing of it went downstream. Its acknowledgement covers only itself, never the consumer's
   * outstanding transactions before it. Returns false when it was a replay of one already recorded.
   */
  public boolean ownTransaction(Lsn commitLsn, Lsn endLsn) {
    if (transactionDelivered(commitLsn)) {
      skippedEnvelopes++;
      return false;
    }
    delivered(endLsn, true);
    advanceConfirmed();
    return true;
  }

  /**
   * A backfill chunk's high watermark (the engine's own transaction) whose chunk rows go downstream
   * in its place: a unit like a transaction, acknowledged by the consumer (the chunk's last row
   * carries its position), so the chunk counts as done only once everything delivered before it is
   * acknowledged too. Returns false when it was a replay of one already recorded.
   */
  public boolean backfillChunk(Lsn commitLsn, Lsn endLsn) {
    if (transactionDelivered(commitLsn)) {
      skippedEnvelopes++;
      return false;
    }
    delivered(endLsn, false);
    deliveredTransactions++;
    return true;
  }

  /**
   * A message written outside any transaction; {@code lsn} is what the server sent with it, the end
   * of its record, which is also its acknowledgement position.
   */
  public Verdict standaloneMessage(Lsn lsn) {
    if (!lsn.isAfter(highWater)) {
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    delivered(lsn, false);
    return Verdict.DELIVER;
  }

  /**
   * The acknowledgement position of a standalone message sent with {@code lsn}: that same position.
   */
  public static Lsn standaloneAckPosition(Lsn lsn) {
    return lsn;
  }

  /** A server keepalive reported that WAL up to {@code walEnd} has been sent. */
  public void serverWalEnd(Lsn walEnd) {
    if (receivingTransaction || openCommitLsn != null) {
      return;
    }
    if (outstanding.isEmpty()) {
      confirmed = Lsn.max(confirmed, walEnd);
    } else {
      walEndCandidate = Lsn.max(walEndCandidate, walEnd);
    }
  }

  /**
   * The consumer made the unit whose acknowledgement position is {@code endLsn} durable, and with
   * it every unit delivered before. Unknown positions (already confirmed, or from a replaced slot)
   * are ignored. Returns true when {@link #confirmed()} moved.
   */
  public boolean acknowledge(Lsn endLsn) {
    Boolean state = outstanding.get(endLsn.value());
    if (state == null || state) {
      return false;
    }
    for (Map.Entry<Long, Boolean> e : outstanding.headMap(endLsn.value(), true).entrySet()) {
      if (!e.getValue()) {
        e.setValue(Boolean.TRUE);
        unacknowledged--;
        acknowledgedTransactions++;
      }
    }
    return advanceConfirmed();
  }

  private boolean advanceConfirmed() {
    Lsn before = confirmed;
    while (!outstanding.isEmpty() && outstanding.firstEntry().getValue()) {
      confirmed = Lsn.max(confirmed, Lsn.of(outstanding.pollFirstEntry().getKey()));
    }
    if (outstanding.isEmpty() && !receivingTransaction && openCommitLsn == null) {
      confirmed = Lsn.max(confirmed, walEndCandidate);
    }
    return !confirmed.equals(before);
  }

  /**
   * A transaction whose commit record starts at {@code commitLsn} was delivered (or acknowledged)
   * whole.
   */
  private boolean transactionDelivered(Lsn commitLsn) {
    return commitLsn.isBefore(highWater) || commitLsn.isBefore(confirmed);
  }

  private void delivered(Lsn ackPosition, boolean acknowledged) {
    highWater = ackPosition;
    outstanding.put(ackPosition.value(), acknowledged);
    if (!acknowledged) {
      unacknowledged++;
    }
  }

  private Verdict countInOpenTransaction() {
    if (seenInTransaction <= openDelivered) {
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    openDelivered++;
    return Verdict.DELIVER;
  }

  /** The position the slot may be confirmed to: never past an unacknowledged delivery. */
  public Lsn confirmed() {
    return confirmed;
  }

  /** Acknowledgement position of the last unit delivered whole. */
  public Lsn highWater() {
    return highWater;
  }

  /** Units delivered downstream and not yet acknowledged. */
  public int unacknowledgedCount() {
    return unacknowledged;
  }

  public long deliveredTransactions() {
    return deliveredTransactions;
  }

  public long acknowledgedTransactions() {
    return acknowledgedTransactions;
  }

  public long skippedEnvelopes() {
    return skippedEnvelopes;
  }
}
