package io.slotkeeper.internal.source;

import static io.slotkeeper.internal.source.DeliveryLedger.Verdict.DELIVER;
import static io.slotkeeper.internal.source.DeliveryLedger.Verdict.SKIP_DUPLICATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import org.junit.jupiter.api.Test;

/**
 * Two-phase: PREPARE, COMMIT PREPARED and ROLLBACK PREPARED as units of the ledger (positions as
 * docs/architecture.md, "What each LSN means", says: a PREPARE is ordered by its record's start and
 * acknowledged at its end; COMMIT PREPARED like a Commit; ROLLBACK PREPARED by its end only).
 */
class DeliveryLedgerTwoPhaseTest {

  /** BEGIN_PREPARE, one change, PREPARE of the record [prepareLsn, end). */
  private static void prepared(DeliveryLedger l, long xid, long prepareLsn, long end) {
    assertThat(l.beginPrepare(xid, Lsn.of(prepareLsn))).isEqualTo(DELIVER);
    assertThat(l.change()).isEqualTo(DELIVER);
    assertThat(l.prepare(Lsn.of(end))).isEqualTo(DELIVER);
  }

  @Test
  void aPrepareIsAUnitAcknowledgedAtTheEndOfItsRecord() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(10));
    l.connectionStarted(Lsn.of(10));
    prepared(l, 700, 100, 120);
    assertThat(l.unacknowledgedCount()).isEqualTo(1);
    assertThat(l.acknowledge(Lsn.of(120))).isTrue();
    assertThat(l.confirmed()).isEqualTo(Lsn.of(120));
    assertThat(l.commitPrepared(700, Lsn.of(300), Lsn.of(320))).isEqualTo(DELIVER);
    assertThat(l.acknowledge(Lsn.of(320))).isTrue();
    assertThat(l.confirmed()).isEqualTo(Lsn.of(320));
  }

  @Test
  void anUnacknowledgedPrepareSentAgainOnAReconnectIsSkippedAndSoIsItsCommitPrepared() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(10));
    l.connectionStarted(Lsn.of(10));
    prepared(l, 700, 100, 120);
    assertThat(l.commitPrepared(700, Lsn.of(300), Lsn.of(320))).isEqualTo(DELIVER);
    l.connectionStarted(Lsn.of(10));
    assertThat(l.beginPrepare(700, Lsn.of(100))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.change()).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.prepare(Lsn.of(120))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.commitPrepared(700, Lsn.of(300), Lsn.of(320))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.unacknowledgedCount()).isEqualTo(2);
  }

  @Test
  void aPrepareCutOffPartWayDeliversOnlyWhatWasNotDeliveredYet() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(10));
    l.connectionStarted(Lsn.of(10));
    assertThat(l.beginPrepare(700, Lsn.of(100))).isEqualTo(DELIVER);
    assertThat(l.change()).isEqualTo(DELIVER);
    l.connectionStarted(Lsn.of(10));
    assertThat(l.beginPrepare(700, Lsn.of(100))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.change()).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.change()).isEqualTo(DELIVER);
    assertThat(l.prepare(Lsn.of(120))).isEqualTo(DELIVER);
  }

  @Test
  void aKeepaliveIsNotConfirmedWhileAPrepareIsBeingReceived() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(10));
    l.connectionStarted(Lsn.of(10));
    l.beginPrepare(700, Lsn.of(100));
    l.serverWalEnd(Lsn.of(90));
    assertThat(l.confirmed()).isEqualTo(Lsn.of(10));
  }

  /**
   * A transaction prepared before the slot's two_phase_at is sent whole right before its COMMIT
   * PREPARED, with a PREPARE record below where the connection started and below units already
   * delivered: it must be delivered, must not pull the high-water mark back, acknowledges nothing,
   * and is skipped when a reconnect sends it again with its unacknowledged COMMIT PREPARED.
   */
  @Test
  void aLatePrepareIsDeliveredOnceByXidAndAcknowledgesNothing() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(500));
    l.connectionStarted(Lsn.of(500));
    assertThat(l.begin(Lsn.of(600))).isEqualTo(DELIVER);
    assertThat(l.commit(Lsn.of(620))).isEqualTo(DELIVER);
    assertThat(l.acknowledge(Lsn.of(620))).isTrue();

    // prepared at 100 (before two_phase_at, which is at most 500), COMMIT PREPARED at 700
    assertThat(l.beginPrepare(800, Lsn.of(100))).as("below the high-water mark").isEqualTo(DELIVER);
    assertThat(l.change()).isEqualTo(DELIVER);
    assertThat(l.prepare(Lsn.of(120))).isEqualTo(DELIVER);
    assertThat(l.highWater()).isEqualTo(Lsn.of(620));
    assertThat(l.acknowledge(Lsn.of(120))).as("acknowledges nothing").isFalse();
    assertThat(l.unacknowledgedCount()).isZero();
    assertThat(l.commitPrepared(800, Lsn.of(700), Lsn.of(720))).isEqualTo(DELIVER);
    assertThat(l.unacknowledgedCount()).isEqualTo(1);

    // reconnect: the slot stands at 620, so both come again
    l.connectionStarted(Lsn.of(620));
    assertThat(l.beginPrepare(800, Lsn.of(100))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.change()).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.prepare(Lsn.of(120))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.commitPrepared(800, Lsn.of(700), Lsn.of(720))).isEqualTo(SKIP_DUPLICATE);

    // once a connection starts past its COMMIT PREPARED the xid is forgotten
    assertThat(l.acknowledge(Lsn.of(720))).isTrue();
    l.connectionStarted(Lsn.of(720));
    assertThat(l.beginPrepare(800, Lsn.of(100))).isEqualTo(DELIVER);
  }

  @Test
  void aRollbackPreparedIsDedupedAndAcknowledgedAtItsEnd() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(10));
    l.connectionStarted(Lsn.of(10));
    prepared(l, 700, 100, 120);
    assertThat(l.rollbackPrepared(Lsn.of(340))).isEqualTo(DELIVER);
    l.connectionStarted(Lsn.of(10));
    assertThat(l.beginPrepare(700, Lsn.of(100))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.prepare(Lsn.of(120))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.rollbackPrepared(Lsn.of(340))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.acknowledge(Lsn.of(340))).isTrue();
    assertThat(l.confirmed()).isEqualTo(Lsn.of(340));
  }
}
