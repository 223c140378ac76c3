package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The initial snapshot on PostgreSQL 13, where it differs from 14+ ({@code SnapshotIT}): the slot
 * exports its snapshot with {@code EXPORT_SNAPSHOT}, and the server has no TID range scan, so in
 * the default storage order a large keyed table is split into key ranges (each read in key order)
 * and a table without a key is read by one reader.
 */
class SnapshotPg13IT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG = PostgresExtension.builder().version(13).build();

  private static final Duration WAIT = Duration.ofSeconds(90);

  @Test
  void aLargeKeyedTableIsSplitIntoKeyRangesAndATableWithoutAKeyIsReadWhole() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE s13_keyed (id int PRIMARY KEY, v text)");
    pg.execute("INSERT INTO s13_keyed SELECT g, md5(g::text) FROM generate_series(1, 30000) g");
    pg.execute("CREATE TABLE s13_heap (id int NOT NULL, v text)");
    pg.execute("INSERT INTO s13_heap SELECT g, md5(g::text) FROM generate_series(1, 30000) g");
    pg.execute("ANALYZE s13_keyed");
    pg.execute("ANALYZE s13_heap");
    pg.execute("CREATE PUBLICATION s13_pub FOR TABLE s13_keyed, s13_heap");
    try (Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(pg, "s13_slot", "s13_pub")
                .withCreateSlotIfMissing(true)
                .withSnapshot(SlotSettings.Snapshot.INITIAL)
                .withSnapshotChunkSize(500)
                .withSnapshotReaders(4))) {
      Harness.await(
          "the snapshot to finish",
          WAIT,
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      HashSet<Integer> all = new HashSet<>(IntStream.rangeClosed(1, 30_000).boxed().toList());
      List<Integer> keyed = keys(h, "s13_keyed");
      List<Integer> heap = keys(h, "s13_heap");
      for (List<Integer> keys : List.of(keyed, heap)) {
        assertThat(keys).hasSize(30_000).doesNotHaveDuplicates();
        assertThat(new HashSet<>(keys)).isEqualTo(all);
      }
      // Four readers, two tables: two parts each where a table can be split. The keyed one is
      // split at 15001 (evenly between 1 and 30000), each range read in key order by a reader of
      // its own, their chunks interleaving.
      assertThat(keyed)
          .as("two ranges read at once")
          .isNotEqualTo(keyed.stream().sorted().toList());
      assertThat(keyed.stream().filter(k -> k < 15_001).toList()).isSorted();
      assertThat(keyed.stream().filter(k -> k >= 15_001).toList()).isSorted();
      // Inserted in key order into a new table, read whole by one sequential scan.
      assertThat(heap).as("one scan, as stored").isSorted();
      assertThat(h.control.progress().snapshot().tablesDone()).isEqualTo(2);
    }
  }

  private static List<Integer> keys(Harness h, String table) {
    return h.consumer.received.stream()
        .filter(e -> e.kind() == Kind.SNAPSHOT && e.relation().get().name().equals(table))
        .map(e -> Integer.parseInt(e.row().get().get(0).text()))
        .toList();
  }
}
