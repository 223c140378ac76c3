package io.slotkeeper.internal.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import org.junit.jupiter.api.Test;

/** After a resync the new history's positions say nothing about what was delivered before. */
class DeliveryLedgerResyncTest {

  @Test
  void aResyncForgetsTheHighWaterMarkSoLowerPositionsOfTheNewHistoryAreDelivered() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(10));
    l.connectionStarted(Lsn.of(5000));
    l.begin(Lsn.of(6000));
    l.commit(Lsn.of(6010));
    l.acknowledge(Lsn.of(6010));
    assertThat(l.highWater()).isEqualTo(Lsn.of(6010));

    // Another server with lower positions: its transaction at 200 is new, not a duplicate.
    l.resync(Lsn.of(100));
    l.connectionStarted(Lsn.of(100));
    assertThat(l.confirmed()).isEqualTo(Lsn.of(100));
    assertThat(l.begin(Lsn.of(200))).isEqualTo(DeliveryLedger.Verdict.DELIVER);
    assertThat(l.change()).isEqualTo(DeliveryLedger.Verdict.DELIVER);
    assertThat(l.commit(Lsn.of(210))).isEqualTo(DeliveryLedger.Verdict.DELIVER);
    assertThat(l.acknowledge(Lsn.of(210))).isTrue();
    assertThat(l.confirmed()).isEqualTo(Lsn.of(210));
  }
}
