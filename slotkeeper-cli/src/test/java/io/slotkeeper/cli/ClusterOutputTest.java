package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.flowtestkit.javadsl.EnvelopeBuilder;
import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import io.slotkeeper.pgoutput.TupleData;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code slotkeeper cluster}'s lines: {@code stream}'s, with the source's id as first field. */
class ClusterOutputTest {
  private static final Instant T = Instant.parse("2025-05-01T12:00:00.123456Z");
  private static final Lsn COMMIT = Lsn.parse("0/16B3800");
  private static final Relation ITEMS =
      new Relation(
          0,
          16384,
          "public",
          "items",
          Relation.REPLICA_IDENTITY_DEFAULT,
          List.of(new RelationColumn("id", 23, -1, true)));
  private static final EnvelopeBuilder ENVELOPES = EnvelopeBuilder.create();

  /** An insert of one row with {@code id}, committed by transaction {@code xid} at COMMIT. */
  private static ChangeEnvelope insert(String id, String lsn, long xid) {
    return ENVELOPES.envelope(
        new Insert(0, ITEMS, TupleData.of(ColumnValue.text(id))), Lsn.parse(lsn), xid, COMMIT, T);
  }

  @Test
  void aLineIsStreamsLineWithTheSourceFirst() {
    ChangeEnvelope insert = insert("7", "0/16B3748", 751);
    LineBytes plain = new LineBytes(64);
    ChangeJson.append(plain, insert, false);
    LineBytes sb = new LineBytes(64).append("{\"earlier\":1}\n");
    assertThat(ClusterOutput.append(sb, ClusterOutput.sourceField("tenant-42.eu"), insert, false))
        .isTrue();
    String line = sb.toString().substring("{\"earlier\":1}\n".length());
    assertThat(line).startsWith("{\"source\":\"tenant-42.eu\",\"op\":\"insert\"").endsWith("}\n");
    Map<String, Object> j = TestJson.object(line.trim());
    assertThat(j.keySet().iterator().next()).isEqualTo("source");
    // Everything else exactly as `stream` writes it.
    Map<String, Object> without = new java.util.LinkedHashMap<>(j);
    without.remove("source");
    assertThat(without).isEqualTo(TestJson.object(plain.toString().trim()));
  }

  @Test
  void oneSourceFieldServesEveryLineOfABatch() {
    ChangeEnvelope insert = insert("8", "0/16B3800", 752);
    LineBytes field = ClusterOutput.sourceField("s\"1");
    LineBytes sb = new LineBytes(16);
    for (int i = 0; i < 3; i++) {
      assertThat(ClusterOutput.append(sb, field, insert, false)).isTrue();
    }
    String[] lines = sb.toString().split("\n");
    assertThat(lines).hasSize(3);
    for (String line : lines) {
      assertThat(line).startsWith("{\"source\":\"s\\\"1\",\"op\":\"insert\"");
      assertThat(TestJson.object(line)).containsEntry("source", "s\"1");
    }
  }

  @Test
  void anEnvelopeWithoutALineWritesNothing() {
    ChangeEnvelope begin =
        ENVELOPES.envelope(new Begin(COMMIT, T, 9), Lsn.parse("0/16B3748"), 9, COMMIT, T);
    LineBytes sb = new LineBytes(64);
    assertThat(ClusterOutput.append(sb, ClusterOutput.sourceField("a"), begin, false)).isFalse();
    assertThat(sb.length()).isZero();
    assertThat(ClusterOutput.append(sb, ClusterOutput.sourceField("a"), begin, true)).isTrue();
    assertThat(sb.toString()).startsWith("{\"source\":\"a\",\"op\":\"begin\"");
  }
}
