package io.slotkeeper.flowtestkit.javadsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.Lsn;
import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.Relation;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The envelopes follow the LSN rules of docs/architecture.md, "What each LSN means". */
class EnvelopeBuilderTest {
  private final EnvelopeBuilder envelopes = EnvelopeBuilder.create().startingAt(Lsn.of(0x1000));
  private final Relation items = EnvelopeBuilder.relation("public", "items", "id", "name");

  @Test
  void aTransactionIsBeginChangesCommitWithConsistentPositions() {
    List<ChangeEnvelope> tx =
        envelopes
            .transaction(751)
            .insert(items, "1", "apple")
            .message("app", "hello")
            .delete(items, "1")
            .commit();
    assertThat(tx)
        .extracting(ChangeEnvelope::kind)
        .containsExactly(Kind.BEGIN, Kind.INSERT, Kind.MESSAGE, Kind.DELETE, Kind.COMMIT);
    assertThat(tx).extracting(ChangeEnvelope::xid).containsOnly(751L);

    Begin begin = (Begin) tx.get(0).message();
    Commit commit = (Commit) tx.get(4).message();
    assertThat(begin.finalLsn())
        .as("Begin.final_lsn = start of the commit record")
        .isEqualTo(commit.commitLsn());
    assertThat(tx).extracting(ChangeEnvelope::commitLsn).containsOnly(commit.commitLsn());
    assertThat(commit.endLsn()).isGreaterThan(commit.commitLsn());
    assertThat(tx.get(0).lsn()).as("Begin at the first record").isEqualTo(Lsn.of(0x1000));
    assertThat(tx.get(1).lsn()).as("a change at the start of its record").isEqualTo(Lsn.of(0x1000));
    LogicalMessage m = (LogicalMessage) tx.get(2).message();
    assertThat(m.transactional()).isTrue();
    assertThat(tx.get(2).lsn())
        .as("a message at the end of its record, where the next starts")
        .isEqualTo(m.lsn())
        .isEqualTo(tx.get(3).lsn());
    assertThat(commit.commitLsn()).isGreaterThanOrEqualTo(tx.get(3).lsn());
    assertThat(tx.get(4).lsn()).isEqualTo(commit.commitLsn());

    assertThat(tx.subList(0, 4))
        .allSatisfy(e -> assertThat(e.committableOffset().isUnitEnd()).isFalse());
    assertThat(tx.get(4).committableOffset().isUnitEnd()).isTrue();
    assertThat(tx.get(4).committableOffset().lsn())
        .as("a transaction is acknowledged at its end")
        .isEqualTo(commit.endLsn());
    assertThat(envelopes.position()).isEqualTo(commit.endLsn());
    assertThat(((Insert) tx.get(1).message()).newTuple().get(1).text()).isEqualTo("apple");
  }

  @Test
  void unitsFollowOneAnotherAndOffsetsRecord() {
    List<ChangeEnvelope> first = envelopes.transaction(1).insert(items, "1", "a").commit();
    ChangeEnvelope standalone = envelopes.message("app", "between");
    List<ChangeEnvelope> second = envelopes.transaction(2).insert(items, "2", "b").commit();
    Lsn firstEnd = ((Commit) first.get(2).message()).endLsn();
    assertThat(standalone.kind()).isEqualTo(Kind.MESSAGE);
    assertThat(standalone.xid()).isZero();
    assertThat(standalone.lsn()).isGreaterThan(firstEnd).isEqualTo(standalone.commitLsn());
    assertThat(standalone.committableOffset().isUnitEnd()).isTrue();
    assertThat(standalone.committableOffset().lsn())
        .as("a standalone message is acknowledged at its lsn")
        .isEqualTo(standalone.lsn());
    assertThat(second.get(0).lsn()).isEqualTo(standalone.lsn());
    assertThat(second.get(2).commitLsn()).isGreaterThan(standalone.lsn());

    first.forEach(e -> e.committableOffset().commit());
    standalone.committableOffset().commit();
    assertThat(envelopes.recorder().acknowledged()).containsExactly(firstEnd, standalone.lsn());
  }

  @Test
  void anEnvelopeExactlyAsGivenAndAResync() {
    Instant t = Instant.parse("2025-05-01T12:00:00Z");
    ChangeEnvelope e =
        envelopes.envelope(
            new Commit(0, Lsn.of(500), Lsn.of(520), t), Lsn.of(500), 9, Lsn.of(500), t);
    assertThat(e.kind()).isEqualTo(Kind.COMMIT);
    assertThat(e.committableOffset().lsn()).isEqualTo(Lsn.of(520));
    ChangeEnvelope gap = envelopes.resyncRequired("slot_a", Lsn.of(100), Lsn.of(900), "re-created");
    assertThat(gap.kind()).isEqualTo(Kind.RESYNC_REQUIRED);
    assertThat(gap.resync())
        .hasValueSatisfying(r -> assertThat(r.newSlotStart()).isEqualTo(Lsn.of(900)));
    assertThat(gap.committableOffset().isUnitEnd()).isFalse();
  }

  @Test
  void onlyChangesGoInsideATransaction() {
    assertThatThrownBy(
            () ->
                envelopes.transaction(1).change(new Commit(0, Lsn.of(1), Lsn.of(2), Instant.EPOCH)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
