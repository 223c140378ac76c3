package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.flowtestkit.javadsl.EnvelopeBuilder;
import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.OldTupleKind;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.Update;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON Lines format of `slotkeeper stream`, one envelope at a time. */
class CliJsonTest {
  private static final Instant T = Instant.parse("2025-05-01T12:00:00.123456Z");
  private static final Lsn COMMIT = Lsn.parse("0/16B3800");
  private static final Relation ITEMS =
      new Relation(
          0,
          16384,
          "public",
          "items",
          Relation.REPLICA_IDENTITY_DEFAULT,
          List.of(
              new RelationColumn("id", 23, -1, true),
              new RelationColumn("name", 25, -1, false),
              new RelationColumn("big", 25, -1, false)));

  private static final EnvelopeBuilder ENVELOPES = EnvelopeBuilder.create();

  private static ChangeEnvelope env(Kind kind, PgOutputMessage m, long xid) {
    ChangeEnvelope e = ENVELOPES.envelope(m, Lsn.parse("0/16B3748"), xid, COMMIT, T);
    assertThat(e.kind()).isEqualTo(kind);
    return e;
  }

  private static Map<String, Object> line(ChangeEnvelope e, boolean withTx) {
    LineBytes sb = new LineBytes(64);
    assertThat(ChangeJson.append(sb, e, withTx)).isTrue();
    assertThat(sb.toString()).endsWith("}\n").containsOnlyOnce("\n");
    return TestJson.object(sb.toString().trim());
  }

  @Test
  void lsnsAreWrittenAsLsnToStringWritesThem() {
    for (long v :
        new long[] {
          0L, 1L, 0xFL, 0x10L, 0xFFFF_FFFFL, 1L << 32, 0x1A_016B_3748L, 0xABCD_EF01_2345_6789L, -1L
        }) {
      LineBytes sb = new LineBytes(64);
      ChangeJson.lsn(sb, Lsn.of(v));
      assertThat(sb.toString()).isEqualTo(Lsn.of(v).toString());
    }
  }

  @Test
  void resyncRequiredIsOneJsonLineNamingTheGapAndWhy() {
    ResyncRequired gap =
        new ResyncRequired(
            "app_slot",
            Lsn.parse("0/16B3748"),
            Lsn.parse("0/2000060"),
            "slot invalidated (wal_removed); re-created as on-invalidated = recreate");
    ChangeEnvelope e =
        ChangeEnvelope.resyncRequired(
            gap, T, ENVELOPES.recorder().offset(Lsn.parse("0/2000060"), false));
    for (boolean withTx : new boolean[] {false, true}) {
      Map<String, Object> j = line(e, withTx);
      assertThat(j)
          .containsOnlyKeys("op", "slot", "last_confirmed_lsn", "new_start_lsn", "reason")
          .containsEntry("op", "resync_required")
          .containsEntry("slot", "app_slot")
          .containsEntry("last_confirmed_lsn", "0/16B3748")
          .containsEntry("new_start_lsn", "0/2000060")
          .containsEntry(
              "reason", "slot invalidated (wal_removed); re-created as on-invalidated = recreate");
    }
  }

  @Test
  void snapshotRowIsALineLikeAnInsertWithoutTransaction() {
    ChangeEnvelope e =
        ChangeEnvelope.snapshotRow(
            ITEMS,
            TupleData.of(ColumnValue.text("1"), ColumnValue.text("apple"), ColumnValue.NULL),
            Lsn.parse("0/2000060"),
            T,
            ENVELOPES.recorder().offset(Lsn.parse("0/2000060"), false));
    for (boolean withTx : new boolean[] {false, true}) {
      Map<String, Object> j = line(e, withTx);
      assertThat(j)
          .containsOnlyKeys("op", "lsn", "schema", "table", "new")
          .containsEntry("op", "snapshot")
          .containsEntry("lsn", "0/2000060")
          .containsEntry("schema", "public")
          .containsEntry("table", "items");
      @SuppressWarnings("unchecked")
      Map<String, Object> row = (Map<String, Object>) j.get("new");
      assertThat(row).containsEntry("id", "1").containsEntry("name", "apple");
      assertThat(row).containsKey("big");
      assertThat(row.get("big")).isNull();
    }
  }

  @Test
  void insertCarriesTextValuesAndNulls() {
    Map<String, Object> j =
        line(
            env(
                Kind.INSERT,
                new Insert(
                    0,
                    ITEMS,
                    TupleData.of(
                        ColumnValue.text("1"),
                        ColumnValue.text("tab\there \"quoted\" \u00e9\u2028"),
                        ColumnValue.NULL)),
                751),
            false);
    assertThat(j)
        .containsEntry("op", "insert")
        .containsEntry("lsn", "0/16B3748")
        .containsEntry("commit_lsn", "0/16B3800")
        .containsEntry("xid", 751L)
        .containsEntry("commit_time", "2025-05-01T12:00:00.123456Z")
        .containsEntry("schema", "public")
        .containsEntry("table", "items");
    assertThat(j).doesNotContainKeys("old", "unchanged_toast");
    @SuppressWarnings("unchecked")
    Map<String, Object> row = (Map<String, Object>) j.get("new");
    assertThat(row.keySet()).containsExactly("id", "name", "big");
    assertThat(row.values()).containsExactly("1", "tab\there \"quoted\" \u00e9\u2028", null);
  }

  @Test
  void binaryValuesAreTheirTextAndOnlyValuesWithoutCodecAreObjects() {
    byte[] int4 = {0, 0, 0, 7};
    byte[] enumLabel = "happy".getBytes(StandardCharsets.UTF_8);
    Map<String, Object> j =
        line(
            env(
                Kind.INSERT,
                new Insert(
                    0,
                    ITEMS,
                    TupleData.of(
                        ColumnValue.binary(int4, 23, io.slotkeeper.pgoutput.ValueFormat.DEFAULT),
                        ColumnValue.binary(
                            enumLabel, 16500, io.slotkeeper.pgoutput.ValueFormat.DEFAULT),
                        ColumnValue.NULL)),
                7),
            false);
    @SuppressWarnings("unchecked")
    Map<String, Object> values = (Map<String, Object>) j.get("new");
    assertThat(values.get("id")).isEqualTo("7");
    assertThat(values.get("name"))
        .isEqualTo(
            Map.of(
                "binary_base64",
                Base64.getEncoder().encodeToString(enumLabel),
                "type_oid",
                16500L));
    assertThat(j).doesNotContainKey("origin");
  }

  @Test
  void aTransactionWithAReplicationOriginSaysWhichOnItsLines() {
    ChangeEnvelope e =
        env(
                Kind.INSERT,
                new Insert(
                    0,
                    ITEMS,
                    TupleData.of(ColumnValue.text("1"), ColumnValue.NULL, ColumnValue.NULL)),
                7)
            .withOrigin(new io.slotkeeper.pgoutput.Origin(Lsn.parse("0/ABCDEF"), "pg_16400"));
    assertThat(line(e, false).get("origin"))
        .isEqualTo(Map.of("name", "pg_16400", "lsn", "0/ABCDEF"));
  }

  @Test
  void updateLeavesUnchangedToastOutAndKeepsOnlyKeyColumnsOfAKeyImage() {
    TupleData old = TupleData.of(ColumnValue.text("1"), ColumnValue.NULL, ColumnValue.NULL);
    TupleData now =
        TupleData.of(ColumnValue.text("2"), ColumnValue.text("pear"), ColumnValue.UNCHANGED_TOAST);
    Map<String, Object> j =
        line(env(Kind.UPDATE, new Update(0, ITEMS, old, OldTupleKind.KEY, now), 9), false);
    assertThat(j.get("new")).isEqualTo(Map.of("id", "2", "name", "pear"));
    assertThat(j.get("unchanged_toast")).isEqualTo(List.of("big"));
    assertThat(j).containsEntry("old_kind", "key");
    assertThat(j.get("old")).isEqualTo(Map.of("id", "1"));

    Map<String, Object> noOld =
        line(env(Kind.UPDATE, new Update(0, ITEMS, null, OldTupleKind.NONE, now), 9), false);
    assertThat(noOld).doesNotContainKeys("old", "old_kind");
  }

  @Test
  void deleteWithFullIdentityCarriesTheWholeOldRow() {
    TupleData old = TupleData.of(ColumnValue.text("3"), ColumnValue.NULL, ColumnValue.text("x"));
    Map<String, Object> j =
        line(env(Kind.DELETE, new Delete(0, ITEMS, OldTupleKind.FULL, old), 9), false);
    assertThat(j)
        .containsEntry("op", "delete")
        .containsEntry("old_kind", "full")
        .doesNotContainKey("new");
    @SuppressWarnings("unchecked")
    Map<String, Object> row = (Map<String, Object>) j.get("old");
    assertThat(row.keySet()).containsExactly("id", "name", "big");
    assertThat(row.values()).containsExactly("3", null, "x");
  }

  @Test
  void truncateListsItsTables() {
    Relation other = new Relation(0, 16390, "sales", "other", 'd', List.of());
    Map<String, Object> j =
        line(env(Kind.TRUNCATE, new Truncate(0, List.of(ITEMS, other), true, false), 9), false);
    assertThat(j.get("tables"))
        .isEqualTo(
            List.of(
                Map.of("schema", "public", "table", "items"),
                Map.of("schema", "sales", "table", "other")));
    assertThat(j).containsEntry("cascade", true).containsEntry("restart_identity", false);
  }

  @Test
  void messagesAreTextWhenUtf8AndBase64Otherwise() {
    Map<String, Object> text =
        line(
            env(
                Kind.MESSAGE,
                new LogicalMessage(
                    0,
                    true,
                    Lsn.parse("0/1"),
                    "audit",
                    "h\u00e9llo".getBytes(StandardCharsets.UTF_8)),
                9),
            false);
    assertThat(text)
        .containsEntry("prefix", "audit")
        .containsEntry("content", "h\u00e9llo")
        .containsEntry("content_encoding", "utf8")
        .containsEntry("transactional", true);
    byte[] binary = {(byte) 0xff, 0, (byte) 0xc3};
    Map<String, Object> bin =
        line(
            env(Kind.MESSAGE, new LogicalMessage(0, false, Lsn.parse("0/1"), "bin", binary), 0),
            false);
    assertThat(bin)
        .containsEntry("content", Base64.getEncoder().encodeToString(binary))
        .containsEntry("content_encoding", "base64")
        .containsEntry("xid", null);
  }

  @Test
  void beginAndCommitLinesOnlyWithTx() {
    ChangeEnvelope begin = env(Kind.BEGIN, new Begin(COMMIT, T, 9), 9);
    ChangeEnvelope commit = env(Kind.COMMIT, new Commit(0, COMMIT, Lsn.parse("0/16B3830"), T), 9);
    assertThat(ChangeJson.append(new LineBytes(64), begin, false)).isFalse();
    assertThat(ChangeJson.append(new LineBytes(64), commit, false)).isFalse();
    assertThat(line(begin, true)).containsEntry("op", "begin").containsEntry("xid", 9L);
    assertThat(line(commit, true))
        .containsEntry("op", "commit")
        .containsEntry("end_lsn", "0/16B3830");
  }

  @Test
  void jsonEscapesControlCharacters() {
    assertThat(Json.write(Map.of("k", "a\u0001b\nc\\"))).isEqualTo("{\"k\":\"a\\u0001b\\nc\\\\\"}");
    assertThat(Json.write(List.of(1, 2.5, true))).isEqualTo("[1,2.500,true]");
  }
}
