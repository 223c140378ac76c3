package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.Update;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, initial snapshot: a slot created with {@code slot.snapshot = initial} delivers every
 * published row as a SNAPSHOT element, then the changes from the slot's consistent point, so a
 * replica built from them in delivery order equals the table (no gap, no overlap), whatever was
 * written meanwhile. Runs against the default version; the syntax of the exporting creation differs
 * between 13/14 and 15+, so run it with {@code -Dslotkeeper.pg.version=13} too.
 */
class SnapshotIT extends ActorSystemPerClass {
  // Every test leaves its slot behind, and an interrupted snapshot its mark (a slot as well):
  // more than the testkit's default 20 by the end of the class.
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().setting("max_replication_slots", "60").build();

  private static final Duration WAIT = Duration.ofSeconds(90);

  private static SourceSettings settings(PostgresServer pg, String prefix, int chunk) {
    return Harness.settings(pg, prefix + "_slot", prefix + "_pub")
        .withCreateSlotIfMissing(true)
        .withSnapshot(SlotSettings.Snapshot.INITIAL)
        .withSnapshotChunkSize(chunk)
        .withBatchSize(100);
  }

  /**
   * A writer of inserts, updates and deletes on {@code table (id int PRIMARY KEY, v text, n int)}.
   */
  private static final class MixedWriter implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong transactions = new AtomicLong();
    private final Thread thread;

    MixedWriter(PostgresServer pg, String table, int keyRange, long seed) {
      thread =
          new Thread(
              () -> {
                Random random = new Random(seed);
                try (Connection c = pg.connect()) {
                  c.setAutoCommit(false);
                  while (running.get()) {
                    for (int i = 0; i < 5; i++) {
                      int id = random.nextInt(keyRange);
                      int op = random.nextInt(3);
                      String sql =
                          switch (op) {
                            case 0 ->
                                "INSERT INTO "
                                    + table
                                    + " VALUES (?, md5(random()::text), 0) ON CONFLICT (id) DO UPDATE SET n = "
                                    + table
                                    + ".n + 1";
                            case 1 ->
                                "UPDATE "
                                    + table
                                    + " SET v = md5(random()::text), n = n + 1 WHERE id = ?";
                            default -> "DELETE FROM " + table + " WHERE id = ?";
                          };
                      try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setInt(1, id);
                        ps.executeUpdate();
                      }
                    }
                    c.commit();
                    transactions.incrementAndGet();
                    Thread.sleep(2);
                  }
                } catch (SQLException | InterruptedException e) {
                  if (running.get()) {
                    throw new IllegalStateException(e);
                  }
                }
              },
              "mixed-writer");
      thread.setDaemon(true);
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(10_000);
    }
  }

  /**
   * A replica by primary key (first column) built from what was delivered, in order; a
   * RESYNC_REQUIRED element discards it (what came before it was a partial snapshot).
   */
  private static Map<String, List<String>> replica(List<ChangeEnvelope> got, String table) {
    Map<String, List<String>> rows = new TreeMap<>();
    for (ChangeEnvelope e : got) {
      if (e.kind() == Kind.RESYNC_REQUIRED) {
        rows.clear();
        continue;
      }
      if (e.relation().isEmpty() || !e.relation().get().name().equals(table)) {
        continue;
      }
      if (e.kind() == Kind.SNAPSHOT) {
        rows.put(e.row().orElseThrow().get(0).text(), texts(e.row().orElseThrow()));
      } else if (e.message() instanceof Insert i) {
        rows.put(i.newTuple().get(0).text(), texts(i.newTuple()));
      } else if (e.message() instanceof Update u) {
        TupleData key = u.oldTuple() != null ? u.oldTuple() : u.newTuple();
        rows.remove(key.get(0).text());
        rows.put(u.newTuple().get(0).text(), texts(u.newTuple()));
      } else if (e.message() instanceof Delete d) {
        rows.remove(d.oldTuple().get(0).text());
      }
    }
    return rows;
  }

  private static List<String> texts(TupleData t) {
    List<String> out = new ArrayList<>();
    for (ColumnValue v : t.values()) {
      out.add(v.text());
    }
    return out;
  }

  private static Map<String, List<String>> table(PostgresServer pg, String table) {
    return pg.query(
        "SELECT id::text, v, n::text FROM " + table + " ORDER BY id",
        rs -> {
          Map<String, List<String>> rows = new TreeMap<>();
          while (rs.next()) {
            rows.put(rs.getString(1), List.of(rs.getString(1), rs.getString(2), rs.getString(3)));
          }
          return rows;
        });
  }

  /** Inserts a sentinel row and waits until it is delivered: everything before it has been. */
  private static void awaitCaughtUp(PostgresServer pg, Harness h, String table, int sentinel)
      throws InterruptedException {
    pg.execute("INSERT INTO " + table + " VALUES (" + sentinel + ", 'sentinel', 0)");
    Harness.await(
        "the sentinel " + sentinel,
        WAIT,
        () -> h.consumer.insertedIds(table).contains(Integer.toString(sentinel)));
  }

  private static void assertSnapshotBeforeChanges(List<ChangeEnvelope> got) {
    boolean changeSeen = false;
    for (ChangeEnvelope e : got) {
      if (e.kind() == Kind.RESYNC_REQUIRED) {
        changeSeen = false;
      } else if (e.kind() == Kind.SNAPSHOT) {
        assertThat(changeSeen).as("a SNAPSHOT element after a change: %s", e).isFalse();
      } else {
        changeSeen = true;
      }
    }
  }

  /** Keys of the SNAPSHOT rows of {@code table} after the last RESYNC_REQUIRED: none twice. */
  private static void assertNoKeyTwice(List<ChangeEnvelope> got, String table) {
    Set<String> keys = new HashSet<>();
    for (ChangeEnvelope e : got) {
      if (e.kind() == Kind.RESYNC_REQUIRED) {
        keys.clear();
      } else if (e.kind() == Kind.SNAPSHOT && e.relation().get().name().equals(table)) {
        String key = e.row().get().get(0).text();
        assertThat(keys.add(key)).as("key %s twice in the snapshot", key).isTrue();
      }
    }
  }

  private static void fill(PostgresServer pg, String table, int rows) {
    pg.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text, n int)");
    pg.execute(
        "INSERT INTO "
            + table
            + " SELECT g, md5(g::text), 0 FROM generate_series(0, "
            + (rows - 1)
            + ") g");
  }

  @Test
  void snapshotThenChangesUnderWriteLoadEqualTheTable() throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, "snap_load", 20_000);
    pg.execute("CREATE PUBLICATION snap_load_pub FOR TABLE snap_load");
    try (MixedWriter writer = new MixedWriter(pg, "snap_load", 25_000, 12);
        Harness h = Harness.start(kit.system(), settings(pg, "snap_load", 700))) {
      Harness.await("writes during the snapshot", WAIT, () -> writer.transactions.get() > 50);
      Harness.await(
          "the snapshot to finish",
          WAIT,
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      writer.close();
      awaitCaughtUp(pg, h, "snap_load", 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(got).noneMatch(e -> e.kind() == Kind.RESYNC_REQUIRED);
      assertThat(got.stream().filter(e -> e.kind() == Kind.SNAPSHOT).count()).isPositive();
      assertThat(got.stream().anyMatch(e -> e.kind() == Kind.UPDATE || e.kind() == Kind.DELETE))
          .as("changes made during the snapshot are streamed after it")
          .isTrue();
      assertSnapshotBeforeChanges(got);
      assertNoKeyTwice(got, "snap_load");
      assertThat(replica(got, "snap_load")).isEqualTo(table(pg, "snap_load"));
      SnapshotProgress p = h.control.progress().snapshot();
      assertThat(p.tablesDone()).isEqualTo(1);
      assertThat(p.rows()).isEqualTo(got.stream().filter(e -> e.kind() == Kind.SNAPSHOT).count());
    }
  }

  /**
   * {@code slot.snapshot-readers = 4}: four connections import the snapshot and read four tables at
   * once (each holds its table's lock while the consumer stalls), rows of a table arrive in key
   * order with {@code slot.snapshot-order = key} (though stored in another), and under writes to
   * every table the replicas end equal to the tables.
   */
  @Test
  void fourReadersReadTablesAtOnceAndEveryReplicaEndsEqual() throws Exception {
    PostgresServer pg = PG.server();
    List<String> names = List.of("snap_par_0", "snap_par_1", "snap_par_2", "snap_par_3");
    for (String t : names) {
      fill(pg, t, 4_000);
      // New versions of every seventh row go to the end of the heap: storage order is not key
      // order, so the key-order assertion below can fail.
      pg.execute("UPDATE " + t + " SET v = v WHERE id % 7 = 0");
      pg.execute("ANALYZE " + t);
    }
    pg.execute("CREATE PUBLICATION snap_par_pub FOR TABLE " + String.join(", ", names));
    Harness.Consumer consumer = new Harness.Consumer();
    AtomicInteger rows = new AtomicInteger();
    consumer.stallAfter = e -> e.kind() == Kind.SNAPSHOT && rows.incrementAndGet() == 300;
    List<MixedWriter> writers = new ArrayList<>();
    try (Harness h =
        Harness.start(
            kit.system(),
            settings(pg, "snap_par", 300)
                .withSnapshotReaders(4)
                .withSnapshotOrder(SlotSettings.SnapshotOrder.KEY),
            consumer)) {
      for (int i = 0; i < names.size(); i++) {
        writers.add(new MixedWriter(pg, names.get(i), 5_000, 40 + i));
      }
      Harness.await("part of the snapshot", WAIT, () -> rows.get() >= 300);
      String locks =
          "SELECT count(DISTINCT l.relation) * 10 + count(DISTINCT l.pid) FROM pg_locks l"
              + " JOIN pg_stat_activity a ON a.pid = l.pid"
              + " WHERE a.application_name LIKE 'slotkeeper:snap_par_slot:snapshot%'"
              + " AND l.locktype = 'relation' AND l.relation IN"
              + " (SELECT oid FROM pg_class WHERE relname ~ '^snap_par_[0-9]$')";
      Harness.await(
          "four readers on four tables while the consumer stalls",
          WAIT,
          () -> pg.queryLong(locks) == 44);
      SnapshotProgress reading = h.control.progress().snapshot();
      assertThat(reading.state()).isEqualTo(SnapshotProgress.State.READING);
      assertThat(reading.tablesTotal()).isEqualTo(4);
      assertThat(reading.rows()).isPositive();
      assertThat(reading.chunksEstimated()).isEqualTo(14); // 4,000 rows (analyzed) / 300
      assertThat(h.control.status().reason())
          .matches(
              "snapshot: public\\.snap_par_\\d \\d+/14 chunks, table \\d/4, \\d+ rows, \\d+ s");
      consumer.resume();
      Harness.await(
          "the snapshot to finish",
          WAIT,
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      for (MixedWriter w : writers) {
        w.close();
      }
      for (String t : names) {
        awaitCaughtUp(pg, h, t, 1_000_000);
      }
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(got).noneMatch(e -> e.kind() == Kind.RESYNC_REQUIRED);
      assertSnapshotBeforeChanges(got);
      for (String t : names) {
        assertNoKeyTwice(got, t);
        List<Integer> keys =
            got.stream()
                .filter(e -> e.kind() == Kind.SNAPSHOT && e.relation().get().name().equals(t))
                .map(e -> Integer.parseInt(e.row().get().get(0).text()))
                .toList();
        assertThat(keys).as("%s's snapshot rows in key order", t).isSorted();
        assertThat(replica(got, t)).as(t).isEqualTo(table(pg, t));
      }
      assertThat(writers).allMatch(w -> w.transactions.get() > 0);
      SnapshotProgress p = h.control.progress().snapshot();
      assertThat(p.tablesDone()).isEqualTo(4);
      assertThat(p.tablesTotal()).isEqualTo(4);
    } finally {
      for (MixedWriter w : writers) {
        w.close();
      }
    }
  }

  /**
   * By default a table is read as stored (a sequential scan, COPY's speed): rows whose new versions
   * went to the end of the heap arrive last. With {@code slot.snapshot-order = key} the same table
   * arrives in key order.
   */
  @Test
  void aTableIsReadAsStoredByDefaultAndInKeyOrderWhenAsked() throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, "snap_order", 3_000);
    pg.execute("UPDATE snap_order SET v = v WHERE id < 100");
    pg.execute("CREATE PUBLICATION snap_order_pub FOR TABLE snap_order");
    List<Integer> stored;
    try (Harness h = Harness.start(kit.system(), settings(pg, "snap_order", 500))) {
      stored = snapshotKeys(h, "snap_order");
    }
    assertThat(stored).hasSize(3_000).doesNotHaveDuplicates();
    assertThat(stored.subList(2_900, 3_000))
        .as("the updated rows, stored last, arrive last")
        .allMatch(k -> k < 100);
    List<Integer> byKey;
    try (Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(pg, "snap_order_key_slot", "snap_order_pub")
                .withCreateSlotIfMissing(true)
                .withSnapshot(SlotSettings.Snapshot.INITIAL)
                .withSnapshotChunkSize(500)
                .withSnapshotOrder(SlotSettings.SnapshotOrder.KEY))) {
      byKey = snapshotKeys(h, "snap_order");
    }
    assertThat(byKey).hasSize(3_000).isSorted();
  }

  private static List<Integer> snapshotKeys(Harness h, String table) throws InterruptedException {
    Harness.await(
        "the snapshot to finish",
        WAIT,
        () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
    return h.consumer.received.stream()
        .filter(e -> e.kind() == Kind.SNAPSHOT && e.relation().get().name().equals(table))
        .map(e -> Integer.parseInt(e.row().get().get(0).text()))
        .toList();
  }

  /**
   * One table and three readers, as stored (the default, PostgreSQL 14+): the table is split into
   * three ranges of its blocks read by three connections at once (TID range scans), and under
   * writes every row arrives exactly once and the replica ends equal to the table.
   */
  @Test
  void oneLargeTableIsReadInBlockRangesByEveryReaderEachRowOnce() throws Exception {
    readAtOnceUnderWrites(
        "snap_blocks", settings(PG.server(), "snap_blocks", 500).withSnapshotReaders(3), 23);
  }

  /**
   * A 30,000-row table {@code table}, read by {@code settings}' readers all at once (each holds its
   * lock while the consumer stalls) under a {@link MixedWriter} seeded {@code writerSeed}: every
   * row arrives exactly once, snapshot rows before changes, and the replica ends equal to the
   * table.
   */
  private void readAtOnceUnderWrites(String table, SourceSettings settings, long writerSeed)
      throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, table, 30_000);
    pg.execute("ANALYZE " + table);
    pg.execute("CREATE PUBLICATION " + table + "_pub FOR TABLE " + table);
    Harness.Consumer consumer = new Harness.Consumer();
    AtomicInteger rows = new AtomicInteger();
    consumer.stallAfter = e -> e.kind() == Kind.SNAPSHOT && rows.incrementAndGet() == 300;
    try (MixedWriter writer = new MixedWriter(pg, table, 32_000, writerSeed);
        Harness h = Harness.start(kit.system(), settings, consumer)) {
      Harness.await("part of the snapshot", WAIT, () -> rows.get() >= 300);
      awaitReadersOn(pg, table, settings.slot().snapshotReaders());
      consumer.resume();
      Harness.await(
          "the snapshot to finish",
          WAIT,
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      writer.close();
      awaitCaughtUp(pg, h, table, 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(got).noneMatch(e -> e.kind() == Kind.RESYNC_REQUIRED);
      assertSnapshotBeforeChanges(got);
      assertNoKeyTwice(got, table);
      assertThat(replica(got, table)).isEqualTo(table(pg, table));
      SnapshotProgress p = h.control.progress().snapshot();
      assertThat(p.tablesDone()).isEqualTo(1);
      assertThat(p.rows()).isEqualTo(got.stream().filter(e -> e.kind() == Kind.SNAPSHOT).count());
    }
  }

  /**
   * A table without a primary key is split into block ranges too (as stored, PostgreSQL 14+): three
   * readers read it at once, and each row arrives once.
   */
  @Test
  void aTableWithoutAKeyIsReadInBlockRangesByEveryReader() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE snap_heap (id int NOT NULL, v text)");
    pg.execute("INSERT INTO snap_heap SELECT g, md5(g::text) FROM generate_series(1, 30000) g");
    pg.execute("ANALYZE snap_heap");
    pg.execute("CREATE PUBLICATION snap_heap_pub FOR TABLE snap_heap");
    Harness.Consumer consumer = new Harness.Consumer();
    AtomicInteger rows = new AtomicInteger();
    consumer.stallAfter = e -> e.kind() == Kind.SNAPSHOT && rows.incrementAndGet() == 300;
    try (Harness h =
        Harness.start(
            kit.system(), settings(pg, "snap_heap", 500).withSnapshotReaders(3), consumer)) {
      Harness.await("part of the snapshot", WAIT, () -> rows.get() >= 300);
      awaitReadersOn(pg, "snap_heap", 3);
      consumer.resume();
      List<Integer> keys = snapshotKeys(h, "snap_heap");
      assertThat(keys).hasSize(30_000).doesNotHaveDuplicates();
      assertThat(new HashSet<>(keys))
          .isEqualTo(
              new HashSet<>(java.util.stream.IntStream.rangeClosed(1, 30_000).boxed().toList()));
    }
  }

  /** {@code readers} snapshot connections hold {@code table}'s lock at once. */
  private static void awaitReadersOn(PostgresServer pg, String table, int readers)
      throws InterruptedException {
    Harness.await(
        readers + " readers reading " + table + " at once",
        WAIT,
        () ->
            pg.queryLong(
                    "SELECT count(DISTINCT l.pid) FROM pg_locks l"
                        + " JOIN pg_stat_activity a ON a.pid = l.pid"
                        + " WHERE a.application_name LIKE 'slotkeeper:"
                        + table
                        + "_slot:snapshot%'"
                        + " AND l.locktype = 'relation'"
                        + " AND l.relation = '"
                        + table
                        + "'::regclass")
                == readers);
  }

  /**
   * One table and three readers in key order: the table is split into three key ranges (integer
   * key: evenly between its minimum and maximum) read by three connections at once, and under
   * writes every row arrives exactly once and the replica ends equal to the table.
   */
  @Test
  void oneLargeTableIsReadInKeyRangesByEveryReaderEachRowOnce() throws Exception {
    readAtOnceUnderWrites(
        "snap_split",
        settings(PG.server(), "snap_split", 500)
            .withSnapshotReaders(3)
            .withSnapshotOrder(SlotSettings.SnapshotOrder.KEY),
        21);
  }

  /**
   * In key order, a key of another type (here a composite key whose first column is text) is split
   * at its histogram's bounds: every row of the table arrives exactly once, and more than one range
   * is read (rows of a later range arrive before the end of an earlier one).
   */
  @Test
  void aTextKeyIsSplitAtItsHistogramAndEachRowArrivesOnce() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE snap_tsplit (k text, n int, v text, PRIMARY KEY (k, n))");
    pg.execute(
        "INSERT INTO snap_tsplit SELECT 'key ' || md5((g % 5000)::text), g / 5000, g::text"
            + " FROM generate_series(0, 19999) g");
    pg.execute("ANALYZE snap_tsplit");
    pg.execute("CREATE PUBLICATION snap_tsplit_pub FOR TABLE snap_tsplit");
    try (Harness h =
        Harness.start(
            kit.system(),
            settings(pg, "snap_tsplit", 400)
                .withSnapshotReaders(4)
                .withSnapshotOrder(SlotSettings.SnapshotOrder.KEY))) {
      Harness.await(
          "the snapshot to finish",
          WAIT,
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      List<String> keys =
          h.consumer.received.stream()
              .filter(e -> e.kind() == Kind.SNAPSHOT)
              .map(e -> e.row().get().get(0).text() + "/" + e.row().get().get(1).text())
              .toList();
      assertThat(keys).hasSize(20_000).doesNotHaveDuplicates();
      Set<String> expected =
          new HashSet<>(
              pg.query(
                  "SELECT k || '/' || n FROM snap_tsplit",
                  rs -> {
                    List<String> all = new ArrayList<>();
                    while (rs.next()) {
                      all.add(rs.getString(1));
                    }
                    return all;
                  }));
      assertThat(new HashSet<>(keys)).isEqualTo(expected);
      List<String> firstColumn = keys.stream().map(k -> k.substring(0, k.indexOf('/'))).toList();
      assertThat(firstColumn)
          .as("more than one key range read at once: not one ordered scan")
          .isNotEqualTo(firstColumn.stream().sorted(PG_TEXT_ORDER).toList());
      assertThat(h.control.progress().snapshot().tablesDone()).isEqualTo(1);
    }
  }

  /** 'key ' followed by hex digits: byte order is the collation's order for these strings. */
  private static final java.util.Comparator<String> PG_TEXT_ORDER =
      java.util.Comparator.naturalOrder();

  /**
   * A table dropped after the snapshot was taken, before a reader reached it, is skipped: the
   * status names it and why, and the other tables (one after it) are read whole without a retake.
   */
  @Test
  void aTableDroppedBeforeItIsReadIsSkippedWithItsNameAndTheRestGoesOn() throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, "snap_drop_a", 3_000);
    fill(pg, "snap_drop_b", 100);
    fill(pg, "snap_drop_c", 1_000);
    pg.execute("CREATE PUBLICATION snap_drop_pub FOR TABLE snap_drop_a, snap_drop_b, snap_drop_c");
    Harness.Consumer consumer = new Harness.Consumer();
    AtomicInteger aRows = new AtomicInteger();
    AtomicInteger cRows = new AtomicInteger();
    consumer.stallAfter =
        e ->
            e.kind() == Kind.SNAPSHOT
                && switch (e.relation().get().name()) {
                  case "snap_drop_a" -> aRows.incrementAndGet() == 200;
                  case "snap_drop_c" -> cRows.incrementAndGet() == 200;
                  default -> false;
                };
    try (Harness h = Harness.start(kit.system(), settings(pg, "snap_drop", 100), consumer)) {
      Harness.await("part of snap_drop_a", WAIT, () -> aRows.get() >= 200);
      // Not locked yet (its reader has not reached it), so the DROP goes through at once.
      pg.execute("DROP TABLE snap_drop_b");
      consumer.resume();
      Harness.await("part of snap_drop_c", WAIT, () -> cRows.get() >= 200);
      assertThat(h.control.progress().snapshot().skipped())
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .startsWith("public.snap_drop_b: dropped after the snapshot was taken");
      assertThat(h.control.status().reason())
          .startsWith("snapshot: public.snap_drop_c ")
          .contains("skipped public.snap_drop_b: dropped");
      consumer.resume();
      Map<String, Integer> tables = snapshotTables(h);
      assertThat(tables).isEqualTo(Map.of("snap_drop_a", 3_000, "snap_drop_c", 1_000));
      assertThat(h.consumer.received).noneMatch(e -> e.kind() == Kind.RESYNC_REQUIRED);
      SnapshotProgress p = h.control.progress().snapshot();
      assertThat(p.tablesDone()).isEqualTo(3);
      assertThat(p.skipped()).hasSize(1);
      awaitCaughtUp(pg, h, "snap_drop_c", 1_000_000);
    }
  }

  /**
   * A reader holds each table it has started on with ACCESS SHARE until the whole snapshot ends, so
   * a DROP TABLE of it (ACCESS EXCLUSIVE) waits for the snapshot, which completes whole, and then
   * goes through.
   */
  @Test
  void aDropOfATableBeingReadWaitsForTheSnapshotThenGoesThrough() throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, "snap_held", 3_000);
    pg.execute("CREATE PUBLICATION snap_held_pub FOR TABLE snap_held");
    Harness.Consumer consumer = new Harness.Consumer();
    AtomicInteger rows = new AtomicInteger();
    consumer.stallAfter = e -> e.kind() == Kind.SNAPSHOT && rows.incrementAndGet() == 200;
    try (Harness h = Harness.start(kit.system(), settings(pg, "snap_held", 100), consumer)) {
      Harness.await("part of the snapshot", WAIT, () -> rows.get() >= 200);
      java.util.concurrent.CompletableFuture<Void> drop =
          java.util.concurrent.CompletableFuture.runAsync(() -> pg.execute("DROP TABLE snap_held"));
      Harness.await(
          "the DROP to wait for the reader's lock",
          WAIT,
          () ->
              pg.queryLong(
                      "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                          + " AND query = 'DROP TABLE snap_held'")
                  == 1);
      Thread.sleep(500);
      assertThat(drop).isNotDone();
      consumer.resume();
      assertThat(snapshotTables(h)).isEqualTo(Map.of("snap_held", 3_000));
      drop.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertThat(h.consumer.received).noneMatch(e -> e.kind() == Kind.RESYNC_REQUIRED);
      assertThat(pg.queryLong("SELECT count(*) FROM pg_class WHERE relname = 'snap_held'"))
          .isZero();
    }
  }

  @Test
  void tableWithoutKeyAndEmptyTable() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE snap_nokey (a int, b text)");
    pg.execute(
        "INSERT INTO snap_nokey SELECT g % 50, 'x' || (g % 7) FROM generate_series(1, 3000) g");
    pg.execute("CREATE TABLE snap_empty (id int PRIMARY KEY, v text, n int)");
    pg.execute("CREATE PUBLICATION snap_nk_pub FOR TABLE snap_nokey, snap_empty");
    try (Harness h = Harness.start(kit.system(), settings(pg, "snap_nk", 128))) {
      Harness.await(
          "the snapshot to finish",
          WAIT,
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      awaitCaughtUp(pg, h, "snap_empty", 7);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      Map<List<String>, Integer> snapshot = new HashMap<>();
      for (ChangeEnvelope e : got) {
        if (e.kind() == Kind.SNAPSHOT) {
          Relation r = e.relation().orElseThrow();
          assertThat(r.name()).isEqualTo("snap_nokey");
          assertThat(r.columns()).extracting(c -> c.name()).containsExactly("a", "b");
          snapshot.merge(texts(e.row().orElseThrow()), 1, Integer::sum);
        }
      }
      Map<List<String>, Integer> expected =
          pg.query(
              "SELECT a::text, b FROM snap_nokey",
              rs -> {
                Map<List<String>, Integer> m = new HashMap<>();
                while (rs.next()) {
                  m.merge(List.of(rs.getString(1), rs.getString(2)), 1, Integer::sum);
                }
                return m;
              });
      assertThat(snapshot).isEqualTo(expected);
      assertThat(h.control.progress().snapshot().tablesDone()).isEqualTo(2);
      assertThat(h.consumer.insertedIds("snap_empty")).containsExactly("7");
    }
  }

  /** Tables (by name) and row counts of the SNAPSHOT elements a source delivered. */
  private static Map<String, Integer> snapshotTables(Harness h) throws InterruptedException {
    Harness.await(
        "the snapshot to finish",
        WAIT,
        () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
    Harness.await(
        "every snapshot row",
        WAIT,
        () ->
            h.consumer.received.stream().filter(e -> e.kind() == Kind.SNAPSHOT).count()
                == h.control.progress().snapshot().rows());
    Map<String, Integer> tables = new TreeMap<>();
    for (ChangeEnvelope e : List.copyOf(h.consumer.received)) {
      if (e.kind() == Kind.SNAPSHOT) {
        tables.merge(e.relation().get().name(), 1, Integer::sum);
      }
    }
    return tables;
  }

  @Test
  void partitionsAreReadAsThePublicationPublishesThem() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute(
        "CREATE TABLE snap_parts (id int PRIMARY KEY, v text, n int) PARTITION BY RANGE (id)");
    pg.execute("CREATE TABLE snap_parts_a PARTITION OF snap_parts FOR VALUES FROM (0) TO (500)");
    pg.execute("CREATE TABLE snap_parts_b PARTITION OF snap_parts FOR VALUES FROM (500) TO (1000)");
    pg.execute("INSERT INTO snap_parts SELECT g, md5(g::text), 0 FROM generate_series(0, 899) g");
    pg.execute(
        "CREATE PUBLICATION snap_root_pub FOR TABLE snap_parts"
            + " WITH (publish_via_partition_root = true)");
    pg.execute("CREATE PUBLICATION snap_leaf_pub FOR TABLE snap_parts");
    try (Harness h = Harness.start(kit.system(), settings(pg, "snap_root", 100))) {
      assertThat(snapshotTables(h)).isEqualTo(Map.of("snap_parts", 900));
    }
    try (Harness h = Harness.start(kit.system(), settings(pg, "snap_leaf", 100))) {
      assertThat(snapshotTables(h)).isEqualTo(Map.of("snap_parts_a", 500, "snap_parts_b", 400));
    }
  }

  @Test
  void columnListsAndRowFiltersApplyToTheSnapshot() throws Exception {
    PostgresServer pg = PG.server();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        pg.version() >= 15, "column lists and row filters exist from PostgreSQL 15");
    fill(pg, "snap_cols", 1_000);
    pg.execute("CREATE PUBLICATION snap_cols_pub FOR TABLE snap_cols (id, v) WHERE (id % 3 = 0)");
    try (Harness h = Harness.start(kit.system(), settings(pg, "snap_cols", 100))) {
      assertThat(snapshotTables(h)).isEqualTo(Map.of("snap_cols", 334));
      for (ChangeEnvelope e : List.copyOf(h.consumer.received)) {
        if (e.kind() == Kind.SNAPSHOT) {
          assertThat(e.relation().get().columns())
              .extracting(c -> c.name())
              .containsExactly("id", "v");
          assertThat(Integer.parseInt(e.row().get().get(0).text()) % 3).isZero();
          assertThat(e.row().get().size()).isEqualTo(2);
        }
      }
    }
  }

  /**
   * A source shut down part-way through its snapshot leaves no slot behind: the next run would
   * otherwise stream from a slot whose snapshot its consumer never got whole, and never know.
   */
  @Test
  void aShutdownMidSnapshotDropsTheHalfUsedSlot() throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, "snap_stop", 3_000);
    pg.execute("CREATE PUBLICATION snap_stop_pub FOR TABLE snap_stop");
    // The consumer stops itself at the 200th row, so the snapshot (read only against demand)
    // cannot finish however slowly this test's thread runs: stalling from here, after seeing 200
    // rows arrive, let a fast source read all 3,000 first on a busy machine.
    Harness.Consumer consumer = new Harness.Consumer();
    AtomicInteger rows = new AtomicInteger();
    consumer.stallAfter = e -> e.kind() == Kind.SNAPSHOT && rows.incrementAndGet() == 200;
    Harness h = Harness.start(kit.system(), settings(pg, "snap_stop", 100), consumer);
    Harness.await("part of the snapshot", WAIT, () -> rows.get() >= 200);
    assertThat(
            pg.queryLong(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'snap_stop_slot'"))
        .isEqualTo(1);
    h.close();
    assertThat(
            pg.queryLong(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'snap_stop_slot'"))
        .isZero();
  }

  /**
   * A slot dropped when its source stops mid-snapshot (here {@code slot.drop-on-stop}; a shutdown
   * mid-snapshot drops it anyway) leaves the mark of its unfinished snapshot: its consumer holds a
   * partial copy, so the next source of that name announces RESYNC_REQUIRED before the new
   * snapshot, and once that one is acknowledged the mark is gone.
   */
  @Test
  void aSlotDroppedMidSnapshotLeavesItsMarkAndTheNextSourceAnnouncesANewCopy() throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, "snap_mark", 3_000);
    pg.execute("CREATE PUBLICATION snap_mark_pub FOR TABLE snap_mark");
    String marker =
        "SELECT count(*) FROM pg_replication_slots"
            + " WHERE slot_name = 'slotkeeper_snap_snap_mark_slot'";
    Harness.Consumer consumer = new Harness.Consumer();
    AtomicInteger rows = new AtomicInteger();
    consumer.stallAfter = e -> e.kind() == Kind.SNAPSHOT && rows.incrementAndGet() == 200;
    Harness h =
        Harness.start(
            kit.system(), settings(pg, "snap_mark", 100).withDropSlotOnStop(true), consumer);
    Harness.await("part of the snapshot", WAIT, () -> rows.get() >= 200);
    assertThat(pg.queryLong(marker)).as("the unfinished snapshot's mark").isEqualTo(1);
    h.close();
    assertThat(
            pg.queryLong(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'snap_mark_slot'"))
        .isZero();
    assertThat(pg.queryLong(marker)).as("the mark, kept for the next source").isEqualTo(1);
    try (Harness next = Harness.start(kit.system(), settings(pg, "snap_mark", 100))) {
      Harness.await(
          "the new snapshot to finish",
          WAIT,
          () -> next.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      awaitCaughtUp(pg, next, "snap_mark", 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(next.consumer.received);
      assertThat(got.get(0).kind())
          .as("the next source first announces that the copy its consumer has is partial")
          .isEqualTo(Kind.RESYNC_REQUIRED);
      assertThat(got.stream().filter(e -> e.kind() == Kind.SNAPSHOT).count()).isEqualTo(3_000);
      Harness.await("the snapshot recorded as completed", WAIT, () -> pg.queryLong(marker) == 0);
    }
  }

  /**
   * The consumer's process dies mid-snapshot (its actor system terminated under the running source,
   * so no shutdown drops the slot): a new process with the same slot finds the slot and the durable
   * mark of the unfinished snapshot, and takes the snapshot again on a new slot after a
   * RESYNC_REQUIRED instead of streaming from the slot as if the copy were whole. Once the consumer
   * acknowledges a change after the snapshot, the mark is gone.
   */
  @Test
  void aConsumerProcessCrashedMidSnapshotMakesTheNextOneRetakeItWithResync() throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, "snap_crash", 3_000);
    pg.execute("CREATE PUBLICATION snap_crash_pub FOR TABLE snap_crash");
    String marker =
        "SELECT count(*) FROM pg_replication_slots"
            + " WHERE slot_name = 'slotkeeper_snap_snap_crash_slot'";
    org.apache.pekko.actor.typed.ActorSystem<Void> crashing =
        org.apache.pekko.actor.typed.ActorSystem.create(
            org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "crashing-consumer");
    Harness.Consumer first = new Harness.Consumer();
    AtomicInteger rows = new AtomicInteger();
    first.stallAfter = e -> e.kind() == Kind.SNAPSHOT && rows.incrementAndGet() == 200;
    Harness.start(crashing, settings(pg, "snap_crash", 100), first);
    Harness.await("part of the snapshot", WAIT, () -> rows.get() >= 200);
    crashing.terminate();
    crashing
        .getWhenTerminated()
        .toCompletableFuture()
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    // A process that dies has its sockets closed by the kernel, which ends its walsender at once.
    // An actor system terminated inside this JVM closes nothing it was not told to (in one CI run
    // of three the replication connection stayed open for good), so do what the kernel would.
    pg.execute(
        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
            + " WHERE slot_name = 'snap_crash_slot' AND active_pid IS NOT NULL");
    // The terminated actor system may still have run the source's shutdown, which drops the
    // half-used slot (a real crash runs nothing): either way no walsender may hold it.
    Harness.await(
        "the crashed process's walsender to end",
        WAIT,
        () ->
            pg.queryLong(
                    "SELECT count(*) FROM pg_replication_slots"
                        + " WHERE slot_name = 'snap_crash_slot' AND active")
                == 0);
    assertThat(pg.queryLong(marker)).as("the unfinished snapshot's mark").isEqualTo(1);
    try (Harness h = Harness.start(kit.system(), settings(pg, "snap_crash", 100))) {
      Harness.await(
          "the new snapshot to finish",
          WAIT,
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      awaitCaughtUp(pg, h, "snap_crash", 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(got.get(0).kind())
          .as("the new process first announces that the copy it had is partial")
          .isEqualTo(Kind.RESYNC_REQUIRED);
      assertThat(got.stream().filter(e -> e.kind() == Kind.SNAPSHOT).count()).isEqualTo(3_000);
      assertThat(replica(got, "snap_crash")).isEqualTo(table(pg, "snap_crash"));
      Harness.await("the snapshot recorded as completed", WAIT, () -> pg.queryLong(marker) == 0);
    }
  }

  @Test
  void killedReaderRestartsWithResyncAndEndsEqual() throws Exception {
    killedMidway("snap_kr", "snapshot");
  }

  @Test
  void killedReplicationConnectionRestartsWithResyncAndEndsEqual() throws Exception {
    killedMidway("snap_kw", "walsender");
  }

  /**
   * Stalls the consumer part-way through the snapshot, kills the reader's ({@code snapshot}) or the
   * replication connection's ({@code walsender}) backend, lets the consumer go on: the source
   * announces RESYNC_REQUIRED, takes a new snapshot on a new slot, and the replica ends equal.
   */
  private void killedMidway(String prefix, String which) throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, prefix, 5_000);
    // About 6 kB a row, 30 MB in all: more than the loopback sockets' buffers hold, so when the
    // reader's backend is killed it is still sending rows (the reader reads one COPY per table).
    // With the table in the buffers the kill would interrupt nothing: every row already sent.
    pg.execute("UPDATE " + prefix + " SET v = repeat(v, 200)");
    pg.execute("CREATE PUBLICATION " + prefix + "_pub FOR TABLE " + prefix);
    // The consumer stalls itself at the 501st row: stalling from this thread after seeing 500 let
    // a fast source finish the snapshot (and close its reader) first.
    Harness.Consumer consumer = new Harness.Consumer();
    AtomicInteger rows = new AtomicInteger();
    consumer.stallAfter = e -> e.kind() == Kind.SNAPSHOT && rows.incrementAndGet() == 501;
    try (MixedWriter writer = new MixedWriter(pg, prefix, 6_000, 7);
        Harness h = Harness.start(kit.system(), settings(pg, prefix, 200), consumer)) {
      Harness.await("part of the snapshot", WAIT, () -> rows.get() > 500);
      String app = "slotkeeper:" + prefix + "_slot";
      String filter =
          which.equals("walsender")
              ? "backend_type = 'walsender' AND application_name = '" + app + "'"
              : "backend_type <> 'walsender' AND application_name = '" + app + ":snapshot'";
      long pid = pg.queryLong("SELECT pid FROM pg_stat_activity WHERE " + filter);
      pg.terminateBackend((int) pid);
      h.consumer.resume();
      Harness.await(
          "the RESYNC_REQUIRED element",
          WAIT,
          () -> h.consumer.received.stream().anyMatch(e -> e.kind() == Kind.RESYNC_REQUIRED));
      Harness.await(
          "the new snapshot to finish",
          WAIT,
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      writer.close();
      awaitCaughtUp(pg, h, prefix, 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      int resync = Harness.indexOf(got, null);
      assertThat(got.subList(0, resync)).allMatch(e -> e.kind() == Kind.SNAPSHOT);
      assertThat(got.stream().filter(e -> e.kind() == Kind.RESYNC_REQUIRED).count()).isEqualTo(1);
      assertSnapshotBeforeChanges(got);
      assertNoKeyTwice(got, prefix);
      assertThat(replica(got, prefix)).isEqualTo(table(pg, prefix));
    }
  }

  /**
   * While the consumer stalls, the reader's transaction and the exporting walsender both sit idle
   * in a transaction: a server-wide idle_in_transaction_session_timeout must not end the snapshot.
   */
  @Test
  void aStalledConsumerOutlivesIdleInTransactionTimeout() throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, "snap_idle", 3_000);
    pg.execute("CREATE PUBLICATION snap_idle_pub FOR TABLE snap_idle");
    pg.setSetting("idle_in_transaction_session_timeout", "300ms");
    // The consumer stalls itself at the 201st row: a test thread stalling it after seeing 200 could
    // come too late on a busy machine, when the whole snapshot was taken and streaming began.
    Harness.Consumer consumer = new Harness.Consumer();
    AtomicInteger rows = new AtomicInteger();
    consumer.stallAfter = e -> e.kind() == Kind.SNAPSHOT && rows.incrementAndGet() == 201;
    try (Harness h = Harness.start(kit.system(), settings(pg, "snap_idle", 100), consumer)) {
      Harness.await("part of the snapshot", WAIT, () -> rows.get() >= 201);
      assertThat(h.control.status().reason()).startsWith("snapshot: public.snap_idle ");
      Thread.sleep(1_500);
      h.consumer.resume();
      Harness.await(
          "the snapshot to finish",
          WAIT,
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      awaitCaughtUp(pg, h, "snap_idle", 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(got).noneMatch(e -> e.kind() == Kind.RESYNC_REQUIRED);
      assertThat(h.control.progress().reconnects()).isZero();
      assertThat(replica(got, "snap_idle")).isEqualTo(table(pg, "snap_idle"));
    } finally {
      pg.resetSetting("idle_in_transaction_session_timeout");
    }
  }

  @Test
  void aLargeTableIsReadOnlyAsFastAsTheConsumerTakesIt() throws Exception {
    PostgresServer pg = PG.server();
    fill(pg, "snap_big", 200_000);
    pg.execute("CREATE PUBLICATION snap_big_pub FOR TABLE snap_big");
    SourceSettings s = settings(pg, "snap_big", 500).withBatchSize(100);
    try (Harness h = Harness.start(kit.system(), s)) {
      Harness.await(
          "the snapshot to start",
          WAIT,
          () -> h.consumer.received.stream().filter(e -> e.kind() == Kind.SNAPSHOT).count() > 1000);
      h.consumer.stall();
      for (int round = 0; round < 20; round++) {
        Thread.sleep(100);
        long consumed = h.consumer.received.size();
        long delivered = h.control.progress().deliveredEnvelopes();
        long read = h.control.progress().snapshot().rows();
        // The stage holds at most what it had when it asked (under half a batch) and one answer,
        // which while snapshotting is up to a chunk (plus the one mapAsync holds)...
        assertThat(delivered - consumed).isLessThanOrEqualTo(50 + 500 + 2);
        // ...and the reader never reads more than a chunk ahead of what was delivered.
        assertThat(read - delivered).isLessThanOrEqualTo(500);
        // Slow: one element at a time, now and then.
        h.consumer.resume();
        h.consumer.stall();
      }
      h.consumer.resume();
      Harness.await(
          "the snapshot to finish",
          Duration.ofMinutes(3),
          () -> h.control.progress().snapshot().state() == SnapshotProgress.State.DONE);
      assertThat(h.control.progress().snapshot().rows()).isEqualTo(200_000);
      Harness.await(
          "every snapshot row",
          WAIT,
          () ->
              h.consumer.received.stream().filter(e -> e.kind() == Kind.SNAPSHOT).count()
                  == 200_000);
    }
  }
}
