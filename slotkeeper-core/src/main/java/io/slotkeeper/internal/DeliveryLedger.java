package io.slotkeeper.internal;

import io.slotkeeper.Lsn;
import java.util.Map;
import java.util.TreeMap;

/**
 * What this running source has delivered downstream and what the consumer has acknowledged.
 * Pure bookkeeping, no I/O; it outlives every connection, which is what lets a reconnect resume
 * from the server's slot without delivering anything twice.
 *
 * <p>Delivery: the server replays from the slot's confirmed position, which is at most what was
 * acknowledged, so after a reconnect it re-sends transactions this process already delivered.
 * Transactions are delivered in commit order and do not overlap, so every transaction whose
 * commit LSN lies below {@link #highWater} was delivered whole; a transaction that was cut off
 * part-way is recognised by its commit LSN and only the envelopes not yet delivered pass.
 *
 * <p>Acknowledgement: the confirmed position (what the slot may be told) moves only to the end of
 * the longest prefix of delivered transactions that are all acknowledged. A server keepalive's
 * WAL end may be confirmed only while nothing delivered is unacknowledged and no transaction is
 * open, so an idle publication on a busy server does not pin WAL, yet the slot never passes a
 * transaction the consumer has not made durable.
 */
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

  /** End LSN of each delivered unit (transaction or standalone message) → acknowledged? */
  private final TreeMap<Long, Boolean> unacknowledged = new TreeMap<>(Long::compareUnsigned);
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
    if (slotConfirmed.isAfter(confirmed)) {
      confirmed = slotConfirmed;
    }
  }

  /**
   * The slot was replaced by a new one starting at {@code newStart}: what the old slot delivered
   * can no longer be confirmed on the server, and a transaction it cut off will never complete.
   */
  public void resync(Lsn newStart) {
    // Nothing of the new history has been delivered: positions below the old high-water mark may
    // name new transactions now (a server with lower LSNs), so none may be dropped as duplicates.
    highWater = Lsn.INVALID;
    unacknowledged.clear();
    walEndCandidate = Lsn.INVALID;
    openCommitLsn = null;
    openDelivered = 0;
    receivingTransaction = false;
    skippingTransaction = false;
    confirmed = newStart;
  }

  public Verdict begin(Lsn commitLsn) {
    receivingTransaction = true;
    seenInTransaction = 1;
    if (commitLsn.isBefore(highWater)) {
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

  /** The Commit of the transaction being received; {@code endLsn} is the end of its commit record. */
  public Verdict commit(Lsn endLsn) {
    if (!receivingTransaction) {
      throw new IllegalStateException("commit received outside a transaction");
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
      highWater = endLsn;
      unacknowledged.put(endLsn.value(), Boolean.FALSE);
      deliveredTransactions++;
    }
    return verdict;
  }

  /**
   * A message written outside any transaction, at {@code lsn}. Its acknowledgement position is
   * {@code lsn + 1}: the server skips such a message on replay only when it lies below the slot's
   * confirmed position.
   */
  public Verdict standaloneMessage(Lsn lsn) {
    if (lsn.isBefore(highWater)) {
      skippedEnvelopes++;
      return Verdict.SKIP_DUPLICATE;
    }
    Lsn end = standaloneAckPosition(lsn);
    highWater = end;
    unacknowledged.put(end.value(), Boolean.FALSE);
    return Verdict.DELIVER;
  }

  /** The acknowledgement position of a standalone message at {@code lsn}. */
  public static Lsn standaloneAckPosition(Lsn lsn) {
    return lsn.plus(1);
  }

  /** A server keepalive reported that WAL up to {@code walEnd} has been sent. */
  public void serverWalEnd(Lsn walEnd) {
    if (receivingTransaction || openCommitLsn != null) {
      return;
    }
    if (unacknowledged.isEmpty()) {
      confirmed = Lsn.max(confirmed, walEnd);
    } else {
      walEndCandidate = Lsn.max(walEndCandidate, walEnd);
    }
  }

  /**
   * The consumer made the unit ending at {@code endLsn} durable. Unknown positions (already
   * confirmed, or from another incarnation) are ignored. Returns true when {@link #confirmed()}
   * moved.
   */
  public boolean acknowledge(Lsn endLsn) {
    Boolean state = unacknowledged.get(endLsn.value());
    if (state == null || state) {
      return false;
    }
    unacknowledged.put(endLsn.value(), Boolean.TRUE);
    acknowledgedTransactions++;
    Lsn before = confirmed;
    while (!unacknowledged.isEmpty()) {
      Map.Entry<Long, Boolean> head = unacknowledged.firstEntry();
      if (!head.getValue()) {
        break;
      }
      unacknowledged.pollFirstEntry();
      confirmed = Lsn.max(confirmed, Lsn.of(head.getKey()));
    }
    if (unacknowledged.isEmpty() && !receivingTransaction && openCommitLsn == null) {
      confirmed = Lsn.max(confirmed, walEndCandidate);
    }
    return !confirmed.equals(before);
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

  /** End of the last unit delivered whole. */
  public Lsn highWater() {
    return highWater;
  }

  public int unacknowledgedCount() {
    return unacknowledged.size();
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
