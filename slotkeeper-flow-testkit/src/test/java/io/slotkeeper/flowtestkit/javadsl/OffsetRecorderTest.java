package io.slotkeeper.flowtestkit.javadsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.CommittableOffset;
import io.slotkeeper.Lsn;
import org.junit.jupiter.api.Test;

class OffsetRecorderTest {
  private final OffsetRecorder recorder = OffsetRecorder.create();

  @Test
  void recordsUnitEndsInCommitOrderAndCountsEveryCall() {
    CommittableOffset change = recorder.offset(Lsn.of(100), false);
    CommittableOffset second = recorder.offset(Lsn.of(300), true);
    CommittableOffset first = recorder.offset(Lsn.of(200), true);
    change.commit();
    second.commit();
    assertThat(first.commit().toCompletableFuture()).isCompleted();
    assertThat(recorder.acknowledged()).containsExactly(Lsn.of(300), Lsn.of(200));
    assertThat(recorder.highestAcknowledged()).contains(Lsn.of(300));
    assertThat(recorder.commitCalls()).isEqualTo(3);
    assertThat(change.isUnitEnd()).isFalse();
    assertThat(second.lsn()).isEqualTo(Lsn.of(300));
  }

  @Test
  void clearForgets() {
    recorder.offset(Lsn.of(1), true).commit();
    recorder.clear();
    assertThat(recorder.acknowledged()).isEmpty();
    assertThat(recorder.highestAcknowledged()).isEmpty();
    assertThat(recorder.commitCalls()).isZero();
  }
}
