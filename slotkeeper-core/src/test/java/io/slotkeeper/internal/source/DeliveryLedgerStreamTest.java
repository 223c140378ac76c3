package io.slotkeeper.internal.source;

import static io.slotkeeper.internal.source.DeliveryLedger.Verdict.DELIVER;
import static io.slotkeeper.internal.source.DeliveryLedger.Verdict.SKIP_DUPLICATE;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import org.junit.jupiter.api.Test;

/** deliver-in-progress: what the ledger makes of in-progress chunks and STREAM_COMMIT. */
class DeliveryLedgerStreamTest {

  @Test
  void onlyStreamCommitIsAUnitAndItIsAcknowledgedAtItsEnd() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(10));
    assertThat(l.streamChunk(700)).isEqualTo(DELIVER);
    assertThat(l.streamChunk(700)).isEqualTo(DELIVER);
    assertThat(l.unacknowledgedCount()).as("chunks are no units").isZero();
    assertThat(l.streamCommit(700, Lsn.of(500), Lsn.of(520))).isEqualTo(DELIVER);
    assertThat(l.unacknowledgedCount()).isEqualTo(1);
    assertThat(l.acknowledge(Lsn.of(520))).isTrue();
    assertThat(l.confirmed()).isEqualTo(Lsn.of(520));
  }

  @Test
  void aReStreamedTransactionWhoseCommitWentDownstreamIsSkippedWholeUntilTheSlotPassesIt() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(10));
    l.streamChunk(700);
    l.streamCommit(700, Lsn.of(500), Lsn.of(520));
    // reconnect: the slot still stands before it, so the server streams it again from its start
    l.connectionStarted(Lsn.of(10));
    assertThat(l.streamChunk(700)).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.streamCommit(700, Lsn.of(500), Lsn.of(520))).isEqualTo(SKIP_DUPLICATE);
    // an unfinished one comes again from its start and is delivered again
    assertThat(l.streamChunk(800)).isEqualTo(DELIVER);
    // once a connection starts with the slot past it, its xid is forgotten
    l.connectionStarted(Lsn.of(520));
    assertThat(l.streamChunk(700)).isEqualTo(DELIVER);
  }

  @Test
  void aStreamCommitAlsoDedupesAgainstOrdinaryTransactions() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(10));
    l.begin(Lsn.of(600));
    l.commit(Lsn.of(610));
    assertThat(l.streamCommit(900, Lsn.of(500), Lsn.of(520)))
        .as("committed before the last delivered unit: a replay")
        .isEqualTo(SKIP_DUPLICATE);
  }

  @Test
  void aStreamPrepareIsAUnitAcknowledgedAtThePrepareEndAndItsReStreamIsSkipped() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(10));
    l.connectionStarted(Lsn.of(10));
    assertThat(l.streamChunk(700)).isEqualTo(DELIVER);
    assertThat(l.streamPrepare(700, Lsn.of(500), Lsn.of(530))).isEqualTo(DELIVER);
    assertThat(l.unacknowledgedCount()).isEqualTo(1);
    // unacknowledged, a reconnect streams it again from its first segment: none of it goes out
    l.connectionStarted(Lsn.of(10));
    assertThat(l.streamChunk(700)).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.streamPrepare(700, Lsn.of(500), Lsn.of(530))).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.acknowledge(Lsn.of(530))).isTrue();
    assertThat(l.confirmed()).isEqualTo(Lsn.of(530));
    // its COMMIT PREPARED is a unit of its own
    assertThat(l.commitPrepared(700, Lsn.of(900), Lsn.of(930))).isEqualTo(DELIVER);
  }

  @Test
  void aLateStreamPrepareAcknowledgesNothingAndIsKnownByXidWhenItComesAgain() {
    DeliveryLedger l = new DeliveryLedger(Lsn.of(1000));
    l.connectionStarted(Lsn.of(1000));
    // prepared before two_phase_at: streamed whole right before its COMMIT PREPARED
    assertThat(l.streamChunk(700)).isEqualTo(DELIVER);
    assertThat(l.streamPrepare(700, Lsn.of(500), Lsn.of(530))).isEqualTo(DELIVER);
    assertThat(l.unacknowledgedCount()).as("the slot already stands past it").isZero();
    // the COMMIT PREPARED was not acknowledged: a reconnect sends both again
    l.connectionStarted(Lsn.of(1000));
    assertThat(l.streamChunk(700)).isEqualTo(SKIP_DUPLICATE);
    assertThat(l.streamPrepare(700, Lsn.of(500), Lsn.of(530))).isEqualTo(SKIP_DUPLICATE);
  }
}
