package io.slotkeeper.internal.source;

import static io.slotkeeper.internal.source.DeliveryLedger.Verdict.DELIVER;
import static io.slotkeeper.internal.source.DeliveryLedger.Verdict.SKIP_DUPLICATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {

  private static Lsn lsn(long v) {
    return Lsn.of(v);
  }

  /**
   * Receives one whole transaction with {@code changes} changes; returns the verdicts' count of
   * DELIVER.
   */
  private static int receive(DeliveryLedger l, long commit, long end, int changes) {
    int delivered = l.begin(lsn(commit)) == DELIVER ? 1 : 0;
    for (int i = 0; i < changes; i++) {
      delivered += l.change() == DELIVER ? 1 : 0;
    }
    delivered += l.commit(lsn(end)) == DELIVER ? 1 : 0;
    return delivered;
  }

  @Test
  void confirmsOnlyUpToTheAcknowledgedUnit() {
    DeliveryLedger l = new DeliveryLedger(lsn(10));
    receive(l, 100, 110, 1);
    receive(l, 200, 210, 1);
    receive(l, 300, 310, 1);
    assertThat(l.confirmed()).isEqualTo(lsn(10));
    assertThat(l.unacknowledgedCount()).isEqualTo(3);

    assertThat(l.acknowledge(lsn(110))).isTrue();
    assertThat(l.confirmed()).isEqualTo(lsn(110));
    assertThat(l.unacknowledgedCount()).isEqualTo(2);
    assertThat(l.acknowledge(lsn(310))).isTrue();
    assertThat(l.confirmed()).isEqualTo(lsn(310));
    assertThat(l.unacknowledgedCount()).isZero();
  }

  @Test
  void acknowledgementIsCumulative() {
    // A consumer that filters, drops an offset, or commits only the last of a batch never pins the
    // slot.
    DeliveryLedger l = new DeliveryLedger(lsn(10));
    receive(l, 100, 110, 1);
    receive(l, 200, 210, 1);
    receive(l, 300, 310, 1);
    assertThat(l.acknowledge(lsn(210))).isTrue();
    assertThat(l.confirmed()).isEqualTo(lsn(210));
    assertThat(l.unacknowledgedCount()).isEqualTo(1);
    assertThat(l.acknowledgedTransactions()).isEqualTo(2);
    assertThat(l.acknowledge(lsn(110))).as("already covered").isFalse();
    assertThat(l.acknowledge(lsn(310))).isTrue();
    assertThat(l.confirmed()).isEqualTo(lsn(310));
  }

  @Test
  void ownTransactionsAcknowledgeOnlyThemselves() {
    DeliveryLedger l = new DeliveryLedger(lsn(10));
    receive(l, 100, 110, 1);
    assertThat(l.ownTransaction(lsn(200), lsn(210))).isTrue();
    assertThat(l.confirmed())
        .as("the consumer's transaction before it is not acknowledged")
        .isEqualTo(lsn(10));
    assertThat(l.unacknowledgedCount()).isEqualTo(1);
    assertThat(l.acknowledge(lsn(110))).isTrue();
    assertThat(l.confirmed()).isEqualTo(lsn(210));
    // Replayed after a reconnect: recognised as already recorded.
    l.connectionStarted(lsn(10));
    assertThat(l.ownTransaction(lsn(200), lsn(210))).isFalse();
  }

  @Test
  void unknownAndRepeatedAcknowledgementsAreIgnored() {
    DeliveryLedger l = new DeliveryLedger(Lsn.INVALID);
    receive(l, 100, 110, 0);
    assertThat(l.acknowledge(lsn(105))).isFalse();
    assertThat(l.acknowledge(lsn(110))).isTrue();
    assertThat(l.acknowledge(lsn(110))).isFalse();
    assertThat(l.acknowledgedTransactions()).isEqualTo(1);
  }

  @Test
  void replayAfterReconnectSkipsWholeTransactionsAlreadyDelivered() {
    DeliveryLedger l = new DeliveryLedger(Lsn.INVALID);
    assertThat(receive(l, 100, 110, 2)).isEqualTo(4);
    assertThat(receive(l, 200, 210, 2)).isEqualTo(4);
    l.acknowledge(lsn(110));

    // The server replays from the slot (confirmed 110): transaction 200 comes again, then 300 is
    // new.
    l.connectionStarted(lsn(110));
    assertThat(receive(l, 200, 210, 2)).isZero();
    assertThat(receive(l, 300, 310, 2)).isEqualTo(4);
    assertThat(l.skippedEnvelopes()).isEqualTo(4);
  }

  @Test
  void replayOfATransactionCutOffMidwayDeliversOnlyTheRest() {
    DeliveryLedger l = new DeliveryLedger(Lsn.INVALID);
    assertThat(l.begin(lsn(100))).isEqualTo(DELIVER);
    assertThat(l.change()).isEqualTo(DELIVER);
    assertThat(l.change()).isEqualTo(DELIVER);
    // Connection lost before the third change.
    l.connectionStarted(Lsn.INVALID);
    assertThat(l.begin(lsn(100))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.change()).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.change()).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.change()).isEqualTo(DELIVER);
    assertThat(l.commit(lsn(110))).isEqualTo(DELIVER);
    assertThat(l.deliveredTransactions()).isEqualTo(1);
  }

  @Test
  void serverWalEndIsConfirmedOnlyWhenNothingIsOutstanding() {
    DeliveryLedger l = new DeliveryLedger(lsn(50));
    l.serverWalEnd(lsn(80));
    assertThat(l.confirmed()).isEqualTo(lsn(80));

    receive(l, 100, 110, 1);
    l.serverWalEnd(lsn(500));
    assertThat(l.confirmed()).as("never past an unacknowledged transaction").isEqualTo(lsn(80));
    l.acknowledge(lsn(110));
    assertThat(l.confirmed())
        .as("the WAL end seen after it, once it is acknowledged")
        .isEqualTo(lsn(500));
  }

  @Test
  void serverWalEndInsideAnOpenTransactionIsIgnored() {
    DeliveryLedger l = new DeliveryLedger(lsn(50));
    l.begin(lsn(100));
    l.change();
    l.serverWalEnd(lsn(900));
    assertThat(l.confirmed()).isEqualTo(lsn(50));
    l.commit(lsn(110));
    l.acknowledge(lsn(110));
    assertThat(l.confirmed()).isEqualTo(lsn(110));
  }

  @Test
  void standaloneMessagesAreAcknowledgedAtTheEndOfTheirRecordAsSent() {
    // The server sends a standalone message with the END of its record and skips it on replay when
    // its record STARTS below the confirmed position: confirming the end is enough.
    DeliveryLedger l = new DeliveryLedger(Lsn.INVALID);
    assertThat(l.standaloneMessage(lsn(100))).isEqualTo(DELIVER);
    l.connectionStarted(Lsn.INVALID);
    assertThat(l.standaloneMessage(lsn(100))).isEqualTo(SKIP_DUPLICATE);
    assertThat(DeliveryLedger.standaloneAckPosition(lsn(100))).isEqualTo(lsn(100));
    assertThat(l.acknowledge(DeliveryLedger.standaloneAckPosition(lsn(100)))).isTrue();
    assertThat(l.confirmed()).isEqualTo(lsn(100));
  }

  @Test
  void aTransactionWhoseCommitStartsExactlyAtAStandaloneMessagesEndIsDelivered() {
    // BEGIN; INSERT; SELECT pg_logical_emit_message(false, ...); COMMIT: the message is sent first,
    // with the end of its record, and the commit record starts exactly there.
    DeliveryLedger l = new DeliveryLedger(Lsn.INVALID);
    assertThat(l.standaloneMessage(lsn(100))).isEqualTo(DELIVER);
    assertThat(receive(l, 100, 130, 1)).isEqualTo(3);
    assertThat(l.acknowledge(lsn(100))).isTrue();
    assertThat(l.confirmed()).as("not past the transaction").isEqualTo(lsn(100));

    // Replay from the slot at 100: the server sends the transaction (its commit starts at 100, not
    // below), and the ledger must not take it for a duplicate in a new process either.
    DeliveryLedger next = new DeliveryLedger(Lsn.INVALID);
    next.connectionStarted(lsn(100));
    assertThat(receive(next, 100, 130, 1)).isEqualTo(3);
  }

  @Test
  void aStandaloneMessageRightAfterATransactionIsNotADuplicate() {
    DeliveryLedger l = new DeliveryLedger(Lsn.INVALID);
    receive(l, 100, 110, 1);
    assertThat(l.standaloneMessage(lsn(150))).isEqualTo(DELIVER);
    l.connectionStarted(Lsn.INVALID);
    assertThat(receive(l, 100, 110, 1)).isZero();
    assertThat(l.standaloneMessage(lsn(150))).isEqualTo(SKIP_DUPLICATE);
  }

  @Test
  void theSlotsPositionOnConnectWinsWhenItIsAhead() {
    DeliveryLedger l = new DeliveryLedger(Lsn.INVALID);
    l.connectionStarted(lsn(1000));
    assertThat(l.confirmed()).isEqualTo(lsn(1000));
    l.connectionStarted(lsn(10));
    assertThat(l.confirmed()).isEqualTo(lsn(1000));
  }
}
