package io.slotkeeper.internal.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link TableReader} on its own, inside a snapshot exported by a plain transaction: both ways of
 * reading a keyed table (one ordered scan, as the initial snapshot reads; a keyset query per chunk,
 * kept for readers that run other statements between chunks) give the table's rows in key order,
 * each once, and key ranges built on split points cover the table exactly.
 */
class TableReaderIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final int ROWS = 2_345;

  @Test
  void scanKeysetAndRangesReadEveryRowOnceInKeyOrder() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE tr_t (k text, n int, v text, PRIMARY KEY (k, n))");
    pg.execute(
        "INSERT INTO tr_t SELECT 'k''\\\\' || lpad((g % 700)::text, 4, '0'), g, E'tab\\there'"
            + " FROM generate_series(1, "
            + ROWS
            + ") g");
    pg.execute("ANALYZE tr_t");
    pg.execute("CREATE PUBLICATION tr_pub FOR TABLE tr_t");
    List<String> expected = new ArrayList<>();
    pg.query(
        "SELECT k || '/' || n FROM tr_t ORDER BY k, n",
        rs -> {
          while (rs.next()) {
            expected.add(rs.getString(1));
          }
          return null;
        });
    SourceSettings settings =
        SourceSettings.create(com.typesafe.config.ConfigFactory.empty())
            .withUrl(pg.jdbcUrl())
            .withUser(pg.superuser())
            .withPassword(pg.superuserPassword())
            .withSlotName("tr_slot")
            .withPublications("tr_pub")
            .withSnapshotChunkSize(100);
    try (Connection exporter = pg.connect()) {
      exporter.setAutoCommit(false);
      String name;
      try (Statement st = exporter.createStatement()) {
        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
        try (ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
          rs.next();
          name = rs.getString(1);
        }
      }
      // Written after the export: no reader may see it.
      pg.execute("INSERT INTO tr_t VALUES ('zzz', 0, 'later')");
      try (TableReader r = TableReader.open(settings, name, 0)) {
        PublishedTable t = r.list(List.of("tr_pub"), pg.version()).get(0);
        assertThat(read(r, t, TableReader.Range.ALL)).isEqualTo(expected);
        r.useKeysetQueries(true);
        assertThat(read(r, t, TableReader.Range.ALL)).isEqualTo(expected);
        List<String> points = r.splitPoints(t, 4);
        assertThat(points).hasSize(3);
        for (boolean keyset : new boolean[] {false, true}) {
          r.useKeysetQueries(keyset);
          List<String> all = new ArrayList<>();
          String from = null;
          for (int i = 0; i <= points.size(); i++) {
            String to = i < points.size() ? points.get(i) : null;
            List<String> part = read(r, t, new TableReader.Range(from, to));
            assertThat(part).as("range %s..%s", from, to).isNotEmpty();
            all.addAll(part);
            from = to;
          }
          assertThat(all).as("ranges, keyset %s", keyset).isEqualTo(expected);
        }
      }
    }
  }

  private static List<String> read(TableReader r, PublishedTable t, TableReader.Range range)
      throws Exception {
    assertThat(r.begin(t, range)).isNull();
    List<String> keys = new ArrayList<>();
    while (true) {
      List<SnapshotReader.Row> chunk = r.nextChunk();
      for (SnapshotReader.Row row : chunk) {
        keys.add(row.row().get(0).text() + "/" + row.row().get(1).text());
        assertThat(row.row().get(2).text()).isEqualTo("tab\there");
      }
      if (chunk.size() < 100) {
        return keys;
      }
    }
  }
}
