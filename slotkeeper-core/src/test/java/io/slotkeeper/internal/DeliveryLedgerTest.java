package io.slotkeeper.internal;

import static io.slotkeeper.internal.DeliveryLedger.Verdict.DELIVER;
import static io.slotkeeper.internal.DeliveryLedger.Verdict.SKIP_DUPLICATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import org.junit.jupiter.api.Test;

class DeliveryLedgerTest {

  private static Lsn lsn(long v) {
    return Lsn.of(v);
  }

  /** Receives one whole transaction with {@code changes} changes; returns the verdicts' count of DELIVER. */
  private static int receive(DeliveryLedger l, long commit, long end, int changes) {
    int delivered = l.begin(lsn(commit)) == DELIVER ? 1 : 0;
    for (int i = 0; i < changes; i++) {
      delivered += l.change() == DELIVER ? 1 : 0;
    }
    delivered += l.commit(lsn(end)) == DELIVER ? 1 : 0;
    return delivered;
  }

  @Test
  void confirmsOnlyTheAcknowledgedPrefixInCommitOrder() {
    DeliveryLedger l = new DeliveryLedger(lsn(10));
    receive(l, 100, 110, 1);
    receive(l, 200, 210, 1);
    receive(l, 300, 310, 1);
    assertThat(l.confirmed()).isEqualTo(lsn(10));

    assertThat(l.acknowledge(lsn(210))).isFalse(); // second before first: nothing moves yet
    assertThat(l.confirmed()).isEqualTo(lsn(10));
    assertThat(l.acknowledge(lsn(110))).isTrue();
    assertThat(l.confirmed()).isEqualTo(lsn(210));
    assertThat(l.unacknowledgedCount()).isEqualTo(1);
    assertThat(l.acknowledge(lsn(310))).isTrue();
    assertThat(l.confirmed()).isEqualTo(lsn(310));
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

    // The server replays from the slot (confirmed 110): transaction 200 comes again, then 300 is new.
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
    assertThat(l.confirmed()).as("the WAL end seen after it, once it is acknowledged").isEqualTo(lsn(500));
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
  void standaloneMessagesAreAcknowledgedPastTheirOwnRecord() {
    DeliveryLedger l = new DeliveryLedger(Lsn.INVALID);
    assertThat(l.standaloneMessage(lsn(100))).isEqualTo(DELIVER);
    l.connectionStarted(Lsn.INVALID);
    assertThat(l.standaloneMessage(lsn(100))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.acknowledge(DeliveryLedger.standaloneAckPosition(lsn(100)))).isTrue();
    assertThat(l.confirmed()).isEqualTo(lsn(101));
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
