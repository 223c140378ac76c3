package io.slotkeeper.internal.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.OldTupleKind;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.Update;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The watermark rule, change by change: which chunk rows go downstream at the high watermark. */
class BackfillChunkTest {

  private static final Relation T = relation("public", "t");
  private static final Relation OTHER = relation("public", "other");

  /** The oldest transaction running when the chunk was announced. */
  private static final long XMIN = 100;

  /** A transaction at or after {@link #XMIN}. */
  private static final long X = 150;

  private static Relation relation(String schema, String name) {
    return new Relation(
        0,
        1,
        schema,
        name,
        Relation.REPLICA_IDENTITY_DEFAULT,
        List.of(
            new RelationColumn("id", 23, -1, true),
            new RelationColumn("v", 25, -1, false),
            new RelationColumn("big", 25, -1, false)));
  }

  private static TupleData row(String id, String v, String big) {
    return TupleData.of(text(id), text(v), text(big));
  }

  private static ColumnValue text(String s) {
    return s == null ? ColumnValue.UNCHANGED_TOAST : ColumnValue.text(s);
  }

  private static TupleData key(String id) {
    return TupleData.of(ColumnValue.text(id), ColumnValue.NULL, ColumnValue.NULL);
  }

  private static BackfillChunk chunk() {
    return new BackfillChunk(1, "public", "t", List.of("id"), XMIN, 99);
  }

  private static List<String> delivered(BackfillChunk c, TupleData... rows) {
    c.read(T, List.of(rows), 98, false);
    List<String> out = new ArrayList<>();
    for (TupleData r : c.deliverable()) {
      out.add(r.get(0).text() + "," + r.get(1).text() + "," + r.get(2).text());
    }
    return out;
  }

  @Test
  void rowsTheStreamDidNotTouchBetweenTheWatermarksAreDeliveredInOrder() {
    BackfillChunk c = chunk();
    c.lowWatermark();
    c.observe(X, new Insert(0, OTHER, row("2", "x", "y")));
    assertThat(delivered(c, row("1", "a", "A"), row("2", "b", "B")))
        .containsExactly("1,a,A", "2,b,B");
    assertThat(c.fromStream()).isZero();
  }

  @Test
  void changesOfTransactionsOlderThanTheOldestRunningOneDoNotCount() {
    BackfillChunk c = chunk();
    // Ended before the chunk was announced: the select saw it.
    c.observe(XMIN - 1, new Update(0, T, null, OldTupleKind.NONE, row("1", "new", "N")));
    c.lowWatermark();
    assertThat(delivered(c, row("1", "new", "N"))).containsExactly("1,new,N");
  }

  @Test
  void aTransactionStillRunningWhenTheChunkWasAnnouncedCountsEvenBeforeTheLowWatermark() {
    BackfillChunk c = chunk();
    // Committed in the WAL before the low watermark, maybe not yet visible to the select.
    c.observe(XMIN, new Update(0, T, null, OldTupleKind.NONE, row("1", "new", "N")));
    c.lowWatermark();
    assertThat(delivered(c, row("1", "old", "N"))).isEmpty();
  }

  @Test
  void xidsCompareModulo2To32() {
    assertThat(BackfillChunk.precedes(4_294_967_290L, 5)).isTrue();
    assertThat(BackfillChunk.precedes(5, 4_294_967_290L)).isFalse();
    assertThat(BackfillChunk.precedes(99, 100)).isTrue();
  }

  @Test
  void whatThePreviousChunkNotedByTransactionsTheNextSelectMayNotHaveSeenIsCarriedOver() {
    BackfillChunk first = chunk();
    first.lowWatermark();
    first.observe(120, new Update(0, T, null, OldTupleKind.NONE, row("1", "v1", "B")));
    first.observe(300, new Update(0, T, null, OldTupleKind.NONE, row("2", "v2", "B")));
    delivered(first);
    first.delivered();
    BackfillChunk next = new BackfillChunk(2, "public", "t", List.of("id"), 200, 201);
    next.carryOver(first);
    next.lowWatermark();
    // xid 120 ended before 200 was the oldest running: the select saw it; 300 maybe not.
    assertThat(delivered(next, row("1", "v1", "B"), row("2", "v0", "B"))).containsExactly("1,v1,B");
  }

  @Test
  void aRowInsertedUpdatedOrDeletedBetweenTheWatermarksIsLeftToTheStream() {
    BackfillChunk c = chunk();
    c.lowWatermark();
    c.observe(X, new Update(0, T, null, OldTupleKind.NONE, row("1", "newer", "N")));
    c.observe(X, new Delete(0, T, OldTupleKind.KEY, key("2")));
    c.observe(X, new Insert(0, T, row("3", "c", "C")));
    assertThat(
            delivered(
                c,
                row("1", "old", "N"),
                row("2", "b", "B"),
                row("3", "c", "C"),
                row("4", "d", "D")))
        .containsExactly("4,d,D");
    assertThat(c.fromStream()).isEqualTo(3);
  }

  @Test
  void aKeyChangeLeavesOutTheOldKey() {
    BackfillChunk c = chunk();
    c.lowWatermark();
    c.observe(X, new Update(0, T, key("1"), OldTupleKind.KEY, row("9", "a", "A")));
    assertThat(delivered(c, row("1", "a", "A"), row("2", "b", "B"))).containsExactly("2,b,B");
  }

  @Test
  void anUpdateLeavingALargeValueUnsentDeliversTheRowAsTheStreamLeftItWithTheChunksValue() {
    BackfillChunk c = chunk();
    c.lowWatermark();
    c.observe(X, new Update(0, T, null, OldTupleKind.NONE, row("1", "newer", null)));
    // The chunk may have been selected before the update: its v is older, its big the same.
    assertThat(delivered(c, row("1", "older", "BIG"))).containsExactly("1,newer,BIG");
  }

  @Test
  void anUnsentLargeValueThatAnEarlierChangeBetweenTheWatermarksSentIsLeftToTheStream() {
    BackfillChunk c = chunk();
    c.lowWatermark();
    c.observe(X, new Update(0, T, null, OldTupleKind.NONE, row("1", "v1", "BIG2")));
    c.observe(X, new Update(0, T, null, OldTupleKind.NONE, row("1", "v2", null)));
    // The first update sent the whole row, so the consumer has it; the chunk (selected before
    // both, its big stale) must not overwrite it.
    assertThat(delivered(c, row("1", "v0", "BIG1"))).isEmpty();
  }

  @Test
  void anUnsentLargeValueNoChangeBetweenTheWatermarksSentIsTakenFromTheChunk() {
    BackfillChunk c = chunk();
    c.lowWatermark();
    c.observe(X, new Update(0, T, null, OldTupleKind.NONE, row("1", "v1", null)));
    c.observe(X, new Update(0, T, null, OldTupleKind.NONE, row("1", "v2", null)));
    assertThat(delivered(c, row("1", "v0", "BIG"))).containsExactly("1,v2,BIG");
  }

  @Test
  void anUpdateAfterInsertingInFullIsLeftToTheStream() {
    BackfillChunk c = chunk();
    c.lowWatermark();
    c.observe(X, new Insert(0, T, row("1", "v1", "BIG")));
    c.observe(X, new Update(0, T, null, OldTupleKind.NONE, row("1", "v2", null)));
    assertThat(delivered(c, row("1", "v1", "BIG"))).isEmpty();
  }

  @Test
  void aTruncateBetweenTheWatermarksLeavesOutTheWholeChunk() {
    BackfillChunk c = chunk();
    c.lowWatermark();
    c.observe(X, new Truncate(0, List.of(OTHER, T), false, false));
    assertThat(delivered(c, row("1", "a", "A"), row("2", "b", "B"))).isEmpty();
    assertThat(c.fromStream()).isEqualTo(2);
  }
}
