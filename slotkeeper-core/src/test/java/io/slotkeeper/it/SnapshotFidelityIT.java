package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The snapshot reads rows through {@code COPY (SELECT ...) TO STDOUT} in text format and unescapes
 * them itself: every value of every type family of the decoder's fidelity table (bytea, arrays,
 * json, text with tabs, newlines, backslashes and control characters, a big TOASTed text, NULLs)
 * must come out exactly as the server prints it, as a TEXT {@link ColumnValue} equal to the one
 * built from that text. The server's print is the type's output function, {@code format('%s',
 * col)}; not {@code col::text}, which differs for two types of the table: a boolean casts to {@code
 * true} where it prints {@code t}, and {@code char(n)} loses its padding. Keyed, so read in key
 * order through one scan per part; the same values through a keyless copy of the table, read by the
 * single scan.
 */
class SnapshotFidelityIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final Duration WAIT = Duration.ofSeconds(90);

  /** Rows beyond the fidelity data's: every escape the COPY text format has, and \N as text. */
  private static final List<String> EXTRA =
      List.of(
          "(1001, 'x1', E'bs \\\\ tab \\t nl \\n cr \\r bs-b \\b ff \\f vt \\v \\\\N end')",
          "(1002, 'x2', E'\\\\N')",
          "(1003, 'x3', E'\\\\')",
          "(1004, 'x4', E'\\t')",
          "(1005, 'x5', '')",
          "(1006, 'x6', E'\\\\x41 \\\\101 octal and hex look-alikes')");

  @Test
  void everyValueIsTheServersTextOutput() throws Exception {
    PostgresServer pg = PG.server();
    FidelityData.typeDdl().forEach(pg::execute);
    FidelityData.tableDdl("snap_fid", null).forEach(pg::execute);
    for (FidelityData.Row row : FidelityData.rows(pg.version())) {
      pg.execute(FidelityData.insertSql("snap_fid", row));
    }
    String t = FidelityData.qualified("snap_fid");
    for (String values : EXTRA) {
      pg.execute("INSERT INTO " + t + " (id, alt_key, c_text) VALUES " + values);
    }
    // The same rows in a table without a key: read by the other path (one scan, no ORDER BY).
    String keyless = FidelityData.qualified("snap_fid_nokey");
    pg.execute("CREATE TABLE " + keyless + " AS SELECT * FROM " + t);
    pg.execute("CREATE PUBLICATION snap_fid_pub FOR TABLE " + t + ", " + keyless);
    try (Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(pg, "snap_fid_slot", "snap_fid_pub")
                .withCreateSlotIfMissing(true)
                .withSnapshot(SlotSettings.Snapshot.INITIAL)
                // Several chunks, so values also cross chunk boundaries.
                .withSnapshotChunkSize(3)
                .withBatchSize(5))) {
      int expectedRows = FidelityData.rows(pg.version()).size() + EXTRA.size();
      Harness.await(
          "the snapshot to finish",
          WAIT,
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      // DONE means read whole; the last rows may still be on their way to the consumer.
      Harness.await(
          "every snapshot row to arrive",
          WAIT,
          () ->
              h.consumer.received.stream().filter(e -> e.kind() == Kind.SNAPSHOT).count()
                  >= 2L * expectedRows);
      List<ChangeEnvelope> rows =
          h.consumer.received.stream().filter(e -> e.kind() == Kind.SNAPSHOT).toList();
      for (String table : List.of("snap_fid", "snap_fid_nokey")) {
        List<ChangeEnvelope> ofTable =
            rows.stream().filter(e -> e.relation().get().name().equals(table)).toList();
        assertThat(ofTable).as(table).hasSize(expectedRows);
        Relation relation = ofTable.get(0).relation().get();
        List<List<String>> expected = serverText(pg, relation);
        List<List<String>> byId = new ArrayList<>();
        int idAt = columnIndex(relation, "id");
        List<TupleData> sorted =
            ofTable.stream()
                .map(e -> e.row().get())
                .sorted(
                    java.util.Comparator.comparingInt(r -> Integer.parseInt(r.get(idAt).text())))
                .toList();
        for (int r = 0; r < sorted.size(); r++) {
          TupleData got = sorted.get(r);
          List<String> want = expected.get(r);
          assertThat(got.size()).isEqualTo(relation.columns().size());
          for (int c = 0; c < got.size(); c++) {
            ColumnValue v = got.get(c);
            String what = table + " row " + want.get(idAt) + " " + relation.columns().get(c).name();
            if (want.get(c) == null) {
              assertThat(v).as(what).isSameAs(ColumnValue.NULL);
            } else {
              assertThat(v.kind()).as(what).isEqualTo(ColumnValue.Kind.TEXT);
              assertThat(v.text()).as(what).isEqualTo(want.get(c));
              assertThat(v).as(what).isEqualTo(ColumnValue.text(want.get(c)));
            }
          }
          byId.add(want);
        }
        assertThat(byId).hasSize(expectedRows);
      }
    }
  }

  private static int columnIndex(Relation relation, String name) {
    for (int i = 0; i < relation.columns().size(); i++) {
      if (relation.columns().get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(name);
  }

  /** Each row's published columns as the server prints them (output functions), ordered by id. */
  private static List<List<String>> serverText(PostgresServer pg, Relation relation) {
    String select =
        relation.columns().stream()
            .map(
                (RelationColumn c) ->
                    "CASE WHEN "
                        + FidelityData.q(c.name())
                        + " IS NULL THEN NULL ELSE format('%s', "
                        + FidelityData.q(c.name())
                        + ") END")
            .collect(Collectors.joining(", "));
    String table = FidelityData.q(relation.namespace()) + "." + FidelityData.q(relation.name());
    int n = relation.columns().size();
    return pg.query(
        "SELECT " + select + " FROM " + table + " ORDER BY id",
        rs -> {
          List<List<String>> all = new ArrayList<>();
          while (rs.next()) {
            List<String> row = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
              row.add(rs.getString(i));
            }
            all.add(row);
          }
          return all;
        });
  }
}
