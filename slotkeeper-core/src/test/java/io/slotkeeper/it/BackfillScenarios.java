package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.BackfillProgress;
import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.TableName;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.Update;
import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, online backfill: {@code Control.backfill} re-reads a published table while the stream
 * goes on, on the same slot, chunk by chunk between watermarks, so a replica built from the
 * deliveries in order (SNAPSHOT rows as upserts, changes as they come) equals the table, whatever
 * was written meanwhile: inserts, updates, deletes, updates of large (TOASTed, over 2 kB) values
 * and updates that leave them unchanged (sent as "unchanged TOAST"). Run on 13 and 17.
 */
abstract class BackfillScenarios extends ActorSystemPerClass {

  private static final Duration WAIT = Duration.ofSeconds(120);

  /** What a replica keeps for a value it never received (an unchanged TOAST of an unknown row). */
  private static final String UNKNOWN = "<unknown: unchanged TOAST of a row never delivered>";

  abstract PostgresServer pg();

  /**
   * In the least-privilege run the role may not create the progress table (on 15+ it has no CREATE
   * on {@code public}): an administrator creates it, as the README says, and grants it the rest.
   */
  private SourceSettings settings(String prefix, int chunk) {
    if (TestRole.leastPrivilege()) {
      TestRole.on(pg());
      String table = "\"public\".\"" + prefix + "_progress\"";
      pg().execute(
              "CREATE TABLE IF NOT EXISTS "
                  + table
                  + " (slot_name text NOT NULL, table_schema text NOT NULL, table_name text NOT NULL,"
                  + " last_key text[], chunks bigint NOT NULL DEFAULT 0, rows bigint NOT NULL DEFAULT 0,"
                  + " finished boolean NOT NULL DEFAULT false,"
                  + " started_at timestamptz NOT NULL DEFAULT now(),"
                  + " updated_at timestamptz NOT NULL DEFAULT now(),"
                  + " PRIMARY KEY (slot_name, table_schema, table_name))");
      pg().execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO " + TestRole.LP_USER);
    }
    return Harness.settings(pg(), prefix + "_slot", prefix + "_pub")
        .withCreateSlotIfMissing(true)
        .withBackfillChunkSize(chunk)
        .withBackfillProgressTable("public." + prefix + "_progress")
        .withBatchSize(100);
  }

  /** A value over 2 kB that does not compress: stored out of line (TOAST). */
  private static final String BIG_SQL =
      "(SELECT string_agg(md5(random()::text || s), '') FROM generate_series(1, 100) s)";

  private static void fill(PostgresServer pg, String table, int rows) {
    pg.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text, n int, big text)");
    load(pg, table, rows);
  }

  /**
   * {@code table} partitioned by range of id: {@code table_a} holds ids below {@code split}, {@code
   * table_b} the rest (the sentinels too).
   */
  private static void fillPartitioned(PostgresServer pg, String table, int rows, int split) {
    pg.execute(
        "CREATE TABLE "
            + table
            + " (id int PRIMARY KEY, v text, n int, big text) PARTITION BY RANGE (id)");
    pg.execute(
        "CREATE TABLE "
            + table
            + "_a PARTITION OF "
            + table
            + " FOR VALUES FROM (MINVALUE) TO ("
            + split
            + ")");
    pg.execute(
        "CREATE TABLE "
            + table
            + "_b PARTITION OF "
            + table
            + " FOR VALUES FROM ("
            + split
            + ") TO (MAXVALUE)");
    load(pg, table, rows);
  }

  private static void load(PostgresServer pg, String table, int rows) {
    pg.execute(
        "INSERT INTO "
            + table
            + " SELECT g, md5(g::text), 0, CASE WHEN g % 3 = 0 THEN"
            + " (SELECT string_agg(md5(random()::text || s || g), '') FROM generate_series(1, 100) s)"
            + " END FROM generate_series(0, "
            + (rows - 1)
            + ") g");
  }

  /**
   * Inserts (some with a large value), updates of small columns (the large one unchanged), updates
   * of the large value, and deletes, in transactions of five.
   */
  private static final class Writer implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong transactions = new AtomicLong();
    private final Thread thread;

    Writer(PostgresServer pg, String table, int keyRange, long seed) {
      this(pg, table, keyRange, seed, () -> 0);
    }

    /**
     * {@code from} gives the first key of the range written to, {@code keyRange} wide: a writer
     * that follows the backfill writes the keys of the chunk being read, so many changes fall
     * between a chunk's watermarks.
     */
    Writer(
        PostgresServer pg,
        String table,
        int keyRange,
        long seed,
        java.util.function.IntSupplier from) {
      thread =
          new Thread(
              () -> {
                Random random = new Random(seed);
                try (Connection c = pg.connect()) {
                  c.setAutoCommit(false);
                  while (running.get()) {
                    for (int i = 0; i < 5; i++) {
                      int id = from.getAsInt() + random.nextInt(keyRange);
                      String sql =
                          switch (random.nextInt(5)) {
                            case 0 ->
                                "INSERT INTO "
                                    + table
                                    + " VALUES (?, md5(random()::text), 0, "
                                    + BIG_SQL
                                    + ") ON CONFLICT (id) DO UPDATE SET n = "
                                    + table
                                    + ".n + 1";
                            case 1, 2 ->
                                "UPDATE "
                                    + table
                                    + " SET v = md5(random()::text), n = n + 1 WHERE id = ?";
                            case 3 -> "UPDATE " + table + " SET big = " + BIG_SQL + " WHERE id = ?";
                            default -> "DELETE FROM " + table + " WHERE id = ?";
                          };
                      try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setInt(1, id);
                        ps.executeUpdate();
                      }
                    }
                    c.commit();
                    transactions.incrementAndGet();
                    Thread.sleep(3);
                  }
                } catch (SQLException | InterruptedException e) {
                  if (running.get()) {
                    throw new IllegalStateException(e);
                  }
                }
              },
              "backfill-writer");
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
   * Applies {@code got} in order to {@code rows} (key = first column): SNAPSHOT rows and inserts
   * put, updates put (an unchanged TOAST value keeps what the replica had), deletes remove, a
   * TRUNCATE of the table empties it.
   */
  private static void apply(
      Map<String, List<String>> rows, List<ChangeEnvelope> got, String table) {
    for (ChangeEnvelope e : got) {
      if (e.message() instanceof Truncate t) {
        if (t.relations().stream().anyMatch(r -> r.name().equals(table))) {
          rows.clear();
        }
        continue;
      }
      if (e.relation().isEmpty() || !e.relation().get().name().equals(table)) {
        continue;
      }
      if (e.kind() == Kind.SNAPSHOT) {
        rows.put(e.row().orElseThrow().get(0).text(), texts(e.row().orElseThrow(), null));
      } else if (e.message() instanceof Insert i) {
        rows.put(i.newTuple().get(0).text(), texts(i.newTuple(), null));
      } else if (e.message() instanceof Update u) {
        TupleData key = u.oldTuple() != null ? u.oldTuple() : u.newTuple();
        List<String> before = rows.remove(key.get(0).text());
        rows.put(u.newTuple().get(0).text(), texts(u.newTuple(), before));
      } else if (e.message() instanceof Delete d) {
        rows.remove(d.oldTuple().get(0).text());
      }
    }
  }

  private static List<String> texts(TupleData t, List<String> before) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < t.size(); i++) {
      ColumnValue v = t.get(i);
      out.add(v.isUnchangedToast() ? (before == null ? UNKNOWN : before.get(i)) : v.text());
    }
    return out;
  }

  private Map<String, List<String>> table(String table) {
    return pg().query(
            "SELECT id::text, v, n::text, big FROM " + table + " ORDER BY id",
            rs -> {
              Map<String, List<String>> rows = new TreeMap<>();
              while (rs.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= 4; i++) {
                  row.add(rs.getString(i));
                }
                rows.put(rs.getString(1), row);
              }
              return rows;
            });
  }

  /** The replica equals the table; on a difference, says which keys differ and how. */
  private static void assertEqual(
      Map<String, List<String>> replica, Map<String, List<String>> table) {
    List<String> differences = new ArrayList<>();
    Set<String> keys = new java.util.TreeSet<>(replica.keySet());
    keys.addAll(table.keySet());
    for (String k : keys) {
      if (!java.util.Objects.equals(replica.get(k), table.get(k))) {
        differences.add(
            k + ": replica " + shorten(replica.get(k)) + ", table " + shorten(table.get(k)));
      }
    }
    assertThat(differences).as("keys whose replica row differs from the table's").isEmpty();
  }

  private static String shorten(List<String> row) {
    if (row == null) {
      return "(none)";
    }
    List<String> out = new ArrayList<>();
    for (String v : row) {
      out.add(
          v == null ? "null" : v.length() > 40 ? v.substring(0, 12) + "…(" + v.length() + ")" : v);
    }
    return out.toString();
  }

  /** Keys of {@code table}'s SNAPSHOT rows in {@code got}: none twice. */
  private static Set<String> assertNoKeyTwice(List<ChangeEnvelope> got, String table) {
    Set<String> keys = new HashSet<>();
    for (ChangeEnvelope e : got) {
      if (e.kind() == Kind.SNAPSHOT && e.relation().get().name().equals(table)) {
        String key = e.row().get().get(0).text();
        assertThat(keys.add(key)).as("key %s twice in one backfill", key).isTrue();
      }
    }
    return keys;
  }

  private static void assertNoWatermarkDelivered(List<ChangeEnvelope> got) {
    assertThat(got)
        .noneMatch(e -> e.message() instanceof LogicalMessage m && m.prefix().contains("backfill"));
  }

  /** Inserts a sentinel row and waits until it is delivered: everything before it has been. */
  private void awaitCaughtUp(Harness h, String table, int sentinel) throws InterruptedException {
    pg().execute("INSERT INTO " + table + " VALUES (" + sentinel + ", 'sentinel', 0, NULL)");
    Harness.await(
        "the sentinel " + sentinel,
        WAIT,
        () -> h.consumer.insertedIds(table).contains(Integer.toString(sentinel)));
  }

  private static Done await(java.util.concurrent.CompletionStage<Done> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void aBackfillUnderWriteLoadEndsEqualToTheTable() throws Exception {
    PostgresServer pg = pg();
    fill(pg, "bf_load", 4_000);
    pg.execute("CREATE PUBLICATION bf_load_pub FOR TABLE bf_load");
    try (Harness h = Harness.start(kit.system(), settings("bf_load", 150));
        Writer writer = new Writer(pg, "bf_load", 4_500, 7);
        Writer follower =
            new Writer(
                pg, "bf_load", 300, 8, () -> (int) h.control.progress().backfill().chunks() * 150);
        // A second follower: more changes near the chunk being read, so that windows other than
        // the one made certain below see some too.
        Writer follower2 =
            new Writer(
                pg,
                "bf_load",
                300,
                9,
                () -> (int) h.control.progress().backfill().chunks() * 150)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      Harness.await("writes before the backfill", WAIT, () -> writer.transactions.get() > 20);
      CompletableFuture<Done> done;
      // One window made certain: the primary key's index stays locked (REINDEX in an open
      // transaction: ACCESS EXCLUSIVE on the index, SHARE on the table) until the first chunk's
      // select waits for it (planning a read of the table locks its indexes; the backfill's setup
      // reads only catalogs and the table itself, which the SHARE lock lets through), and the
      // lock's
      // transaction then changes every row. Its commit lies after that chunk's low watermark and
      // before its high one however fast or starved the machine, so all 150 rows of the chunk must
      // come from the stream. The random writers alone left this to chance (a CI run under a CPU
      // hog saw 9 such rows in the whole backfill).
      try (Connection lock = pg.connect()) {
        lock.setAutoCommit(false);
        try (Statement st = lock.createStatement()) {
          st.execute("REINDEX INDEX bf_load_pkey");
          done = h.control.backfill(TableName.parse("public.bf_load")).toCompletableFuture();
          String waiting =
              "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                  + " 'slotkeeper:bf_load_slot:backfill' AND wait_event_type = 'Lock'";
          Harness.await(
              "the backfill waiting for the locked index",
              WAIT,
              () -> done.isDone() || pg.queryLong(waiting) > 0);
          assertThat(done).as("the backfill cannot end while its key index is locked").isNotDone();
          assertThat(
                  pg.queryString(
                      "SELECT query FROM pg_stat_activity WHERE application_name ="
                          + " 'slotkeeper:bf_load_slot:backfill' AND wait_event_type = 'Lock'"))
              .as("the statement waiting is the first chunk's select")
              .contains("bf_load")
              .contains("ORDER BY")
              .contains("LIMIT 150");
          assertThat(st.executeUpdate("UPDATE bf_load SET n = n + 1")).isGreaterThan(1_000);
        }
        lock.commit();
      }
      Harness.await(
          "the backfill to run",
          WAIT,
          () ->
              h.control.progress().backfill().state() == BackfillProgress.State.RUNNING
                  || done.isDone());
      String reason = h.control.status().reason();
      await(done);
      long during = writer.transactions.get();
      writer.close();
      follower.close();
      follower2.close();
      assertThat(during).as("writes went on during the backfill").isGreaterThan(40);
      awaitCaughtUp(h, "bf_load", 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      Set<String> keys = assertNoKeyTwice(got, "bf_load");
      assertThat(keys).as("the backfill delivered rows").hasSizeGreaterThan(1_000);
      assertNoWatermarkDelivered(got);
      Map<String, List<String>> replica = new TreeMap<>();
      apply(replica, got, "bf_load");
      assertEqual(replica, table("bf_load"));
      BackfillProgress p = h.control.progress().backfill();
      assertThat(p.state()).isEqualTo(BackfillProgress.State.DONE);
      assertThat(p.rowsFromStream())
          .as("rows the stream changed between a chunk's watermarks (the whole first chunk)")
          .isGreaterThanOrEqualTo(150);
      assertThat(p.table()).isEqualTo("public.bf_load");
      assertThat(p.rows()).isEqualTo(keys.size());
      assertThat(p.chunks()).isGreaterThan(4_000 / 150 - 2);
      assertThat(reason + " / " + h.control.status().reason()).contains("backfill");
      Harness.await(
          "the finished backfill recorded",
          WAIT,
          () ->
              pg.queryLong(
                      "SELECT count(*) FROM public.bf_load_progress WHERE slot_name = 'bf_load_slot'"
                          + " AND table_schema = 'public' AND table_name = 'bf_load' AND finished")
                  == 1);
    }
  }

  /**
   * Asked for at once, while the source is still creating its slot: a watermark written before the
   * slot exists would never be streamed, so the backfill waits for the stream to start.
   */
  @Test
  void aBackfillAskedForBeforeTheSlotExistsStartsWithTheStream() throws Exception {
    PostgresServer pg = pg();
    fill(pg, "bf_early", 500);
    pg.execute("CREATE PUBLICATION bf_early_pub FOR TABLE bf_early");
    try (Harness h = Harness.start(kit.system(), settings("bf_early", 100))) {
      await(h.control.backfill(TableName.parse("bf_early")));
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(assertNoKeyTwice(got, "bf_early")).hasSize(500);
      Map<String, List<String>> replica = new TreeMap<>();
      apply(replica, got, "bf_early");
      assertEqual(replica, table("bf_early"));
    }
  }

  @Test
  void aTableWithoutPrimaryKeyIsRefusedWithTheReason() throws Exception {
    PostgresServer pg = pg();
    pg.execute("CREATE TABLE bf_nokey (id int, v text)");
    pg.execute("CREATE TABLE bf_other (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION bf_nokey_pub FOR TABLE bf_nokey");
    try (Harness h = Harness.start(kit.system(), settings("bf_nokey", 100))) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      ExecutionException noKey =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class,
              () -> await(h.control.backfill(TableName.parse("bf_nokey"))));
      assertThat(noKey.getCause())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("public.bf_nokey")
          .hasMessageContaining("primary key");
      ExecutionException notPublished =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class,
              () -> await(h.control.backfill(TableName.parse("bf_other"))));
      assertThat(notPublished.getCause())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not published");
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.ACTIVE);
    }
  }

  /**
   * The consumer's process dies mid-backfill (actor system terminated, its walsender ended as the
   * kernel would end it): a new process on the same slot continues the backfill after the last
   * chunk whose high watermark was acknowledged, by itself, and what both lives delivered, applied
   * in order, equals the table.
   */
  @Test
  void aBackfillResumesAfterTheConsumerProcessDied() throws Exception {
    PostgresServer pg = pg();
    fill(pg, "bf_crash", 3_000);
    pg.execute("CREATE PUBLICATION bf_crash_pub FOR TABLE bf_crash");
    org.apache.pekko.actor.typed.ActorSystem<Void> crashing =
        org.apache.pekko.actor.typed.ActorSystem.create(
            org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "crashing-backfill-consumer");
    Harness.Consumer first = new Harness.Consumer();
    AtomicInteger rows = new AtomicInteger();
    first.stallAfter = e -> e.kind() == Kind.SNAPSHOT && rows.incrementAndGet() == 1_000;
    List<ChangeEnvelope> firstGot;
    String progress =
        "SELECT coalesce(last_key[1], '-1') FROM public.bf_crash_progress"
            + " WHERE slot_name = 'bf_crash_slot' AND table_name = 'bf_crash'";
    try (Writer writer = new Writer(pg, "bf_crash", 3_500, 11)) {
      Harness life1 = Harness.start(crashing, settings("bf_crash", 100), first);
      life1.awaitLevel(StatusLevel.ACTIVE, WAIT);
      life1.control.backfill(TableName.parse("bf_crash"));
      Harness.await("part of the backfill", WAIT, () -> rows.get() >= 1_000);
      Harness.await(
          "some chunks recorded as acknowledged",
          WAIT,
          () ->
              pg.queryLong("SELECT count(*) FROM (" + progress + ") p WHERE coalesce::int >= 0")
                  == 1);
      crashing.terminate();
      crashing.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      pg.execute(
          "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
              + " WHERE slot_name = 'bf_crash_slot' AND active_pid IS NOT NULL");
      Harness.await(
          "the crashed process's walsender to end",
          WAIT,
          () ->
              pg.queryLong(
                      "SELECT count(*) FROM pg_replication_slots"
                          + " WHERE slot_name = 'bf_crash_slot' AND NOT active")
                  == 1);
      firstGot = List.copyOf(first.received);
      long recorded = pg.queryLong("SELECT (" + progress + ")::bigint");
      assertThat(recorded).as("a chunk was recorded before the crash").isGreaterThanOrEqualTo(0);
      assertThat(recorded).as("the backfill was not finished").isLessThan(2_900);
      try (Harness life2 = Harness.start(kit.system(), settings("bf_crash", 100))) {
        Harness.await(
            "the resumed backfill to finish",
            WAIT,
            () -> life2.control.progress().backfill().state() == BackfillProgress.State.DONE);
        writer.close();
        awaitCaughtUp(life2, "bf_crash", 1_000_000);
        List<ChangeEnvelope> secondGot = List.copyOf(life2.consumer.received);
        Set<String> keys = assertNoKeyTwice(secondGot, "bf_crash");
        assertThat(keys).as("the resumed backfill delivered rows").isNotEmpty();
        assertThat(keys.stream().mapToLong(Long::parseLong).min().orElseThrow())
            .as("it continued after the last acknowledged chunk")
            .isGreaterThan(recorded);
        assertNoWatermarkDelivered(secondGot);
        Map<String, List<String>> replica = new TreeMap<>();
        apply(replica, firstGot, "bf_crash");
        apply(replica, secondGot, "bf_crash");
        assertEqual(replica, table("bf_crash"));
        Harness.await(
            "the finished backfill recorded",
            WAIT,
            () ->
                pg.queryLong(
                        "SELECT count(*) FROM public.bf_crash_progress WHERE slot_name = 'bf_crash_slot'"
                            + " AND table_name = 'bf_crash' AND finished")
                    == 1);
      }
    }
  }

  /**
   * A table dropped mid-backfill: its backfill ends, the waiter is told why, progress() and the
   * status name it ({@code ended public.x: dropped ...}), its recorded progress is removed (a later
   * start has nothing to continue), and the stream and the next queued backfill go on.
   */
  @Test
  void aTableDroppedMidBackfillEndsItsBackfillWithTheReasonAndTheRestGoesOn() throws Exception {
    PostgresServer pg = pg();
    fill(pg, "bf_drop_a", 3_000);
    fill(pg, "bf_drop_b", 500);
    pg.execute("CREATE PUBLICATION bf_drop_pub FOR TABLE bf_drop_a, bf_drop_b");
    try (Harness h = Harness.start(kit.system(), settings("bf_drop", 10))) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      CompletableFuture<Done> a =
          h.control.backfill(TableName.parse("bf_drop_a")).toCompletableFuture();
      CompletableFuture<Done> b =
          h.control.backfill(TableName.parse("bf_drop_b")).toCompletableFuture();
      Harness.await(
          "some chunks of bf_drop_a",
          WAIT,
          () ->
              h.control.progress().backfill().table().equals("public.bf_drop_a")
                  && h.control.progress().backfill().chunks() >= 5);
      assertThat(a).as("the backfill of bf_drop_a is not done yet").isNotDone();
      pg.execute("DROP TABLE bf_drop_a");
      ExecutionException ended =
          org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(a));
      assertThat(ended.getCause())
          .hasMessageContaining("public.bf_drop_a")
          .hasMessageContaining("dropped");
      await(b);
      awaitCaughtUp(h, "bf_drop_b", 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(assertNoKeyTwice(got, "bf_drop_b")).hasSize(500);
      Map<String, List<String>> replica = new TreeMap<>();
      apply(replica, got, "bf_drop_b");
      assertEqual(replica, table("bf_drop_b"));
      BackfillProgress p = h.control.progress().backfill();
      assertThat(p.state()).isEqualTo(BackfillProgress.State.DONE);
      assertThat(p.table()).isEqualTo("public.bf_drop_b");
      assertThat(p.ended()).singleElement().asString().startsWith("public.bf_drop_a: dropped");
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.ACTIVE);
      assertThat(h.control.status().reason()).contains("ended public.bf_drop_a: dropped");
      // A reconnect sets the connection's own reason again; what the backfill said stays.
      long reconnects = h.control.progress().reconnects();
      assertThat(pg.terminateWalsender("bf_drop_slot")).isPositive();
      Harness.await(
          "a reconnect after the walsender was killed",
          WAIT,
          () -> h.control.progress().reconnects() > reconnects);
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      assertThat(h.control.status().reason())
          .startsWith("streaming from slot bf_drop_slot")
          .contains("ended public.bf_drop_a: dropped");
      Harness.await(
          "bf_drop_b's backfill recorded as finished",
          WAIT,
          () ->
              pg.queryLong(
                      "SELECT count(*) FROM public.bf_drop_progress WHERE table_name = 'bf_drop_b'"
                          + " AND finished")
                  == 1);
      assertThat(
              pg.queryLong(
                  "SELECT count(*) FROM public.bf_drop_progress WHERE table_name = 'bf_drop_a'"))
          .as("the dropped table's progress is removed: nothing to continue")
          .isZero();
    }
    // What a process that died mid-backfill leaves when the table is dropped before the next start.
    pg.execute(
        "INSERT INTO public.bf_drop_progress (slot_name, table_schema, table_name, last_key)"
            + " VALUES ('bf_drop_slot', 'public', 'bf_drop_c', '{41}')");
    try (Harness h = Harness.start(kit.system(), settings("bf_drop", 10))) {
      Harness.await(
          "the unfinished backfill of the dropped bf_drop_c ended",
          WAIT,
          () -> !h.control.progress().backfill().ended().isEmpty());
      assertThat(h.control.progress().backfill().ended())
          .containsExactly("public.bf_drop_c: dropped before its backfill could continue");
      // Once streaming, too: the connection's own reason does not erase what the backfill said.
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      assertThat(h.control.status().reason()).contains("ended public.bf_drop_c: dropped");
      assertThat(
              pg.queryLong(
                  "SELECT count(*) FROM public.bf_drop_progress WHERE table_name = 'bf_drop_c'"))
          .as("its progress is removed: not tried again at every start")
          .isZero();
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
    }
  }

  /**
   * A TRUNCATE committed after a chunk's select and before its high watermark (then a reload of the
   * table): the chunk's rows, read before the TRUNCATE, must not reach the consumer after the
   * TRUNCATE the stream carries, or they would resurrect rows the table no longer has. The timing
   * is made, not hoped for: a held ACCESS EXCLUSIVE lock makes the chunk's select wait, the
   * TRUNCATE queues behind it, and when the lock is released the select runs first (its snapshot
   * sees the old rows) and the TRUNCATE right after, racing the high watermark's three round trips.
   * The replica built from the deliveries in order equals the table either way.
   */
  @Test
  void aTruncateMidBackfillResurrectsNoRowAndTheReplicaEndsEqual() throws Exception {
    PostgresServer pg = pg();
    fill(pg, "bf_trunc", 3_000);
    pg.execute("CREATE PUBLICATION bf_trunc_pub FOR TABLE bf_trunc");
    String waitingOnLock =
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ";
    try (Harness h = Harness.start(kit.system(), settings("bf_trunc", 50))) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      CompletableFuture<Done> done =
          h.control.backfill(TableName.parse("bf_trunc")).toCompletableFuture();
      Harness.await("some chunks", WAIT, () -> h.control.progress().backfill().chunks() >= 3);
      CompletableFuture<Void> truncated;
      try (io.slotkeeper.postgres.HeldTransaction lock = pg.holdOpenTransaction()) {
        lock.execute("LOCK TABLE bf_trunc IN ACCESS EXCLUSIVE MODE");
        Harness.await(
            "the next chunk's select to wait for the lock",
            WAIT,
            () -> pg.queryLong(waitingOnLock + "'SELECT %bf_trunc%'") == 1);
        truncated =
            CompletableFuture.runAsync(
                () -> {
                  pg.execute("TRUNCATE bf_trunc");
                  pg.execute(
                      "INSERT INTO bf_trunc SELECT g, md5(random()::text), 7, NULL"
                          + " FROM generate_series(10000, 12999) g");
                });
        Harness.await(
            "the TRUNCATE to queue behind the select",
            WAIT,
            () -> pg.queryLong(waitingOnLock + "'TRUNCATE%'") == 1);
        lock.rollback();
      }
      truncated.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      await(done);
      awaitCaughtUp(h, "bf_trunc", 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(got)
          .as("the stream carried the TRUNCATE")
          .anyMatch(e -> e.message() instanceof Truncate);
      Map<String, List<String>> replica = new TreeMap<>();
      apply(replica, got, "bf_trunc");
      assertEqual(replica, table("bf_trunc"));
      assertThat(h.control.progress().backfill().state()).isEqualTo(BackfillProgress.State.DONE);
    }
  }

  /**
   * The slot is dropped under the source mid-backfill (create-if-missing re-creates it): the stream
   * has a gap, announced by RESYNC_REQUIRED, and changes of the table in that gap are lost, so the
   * chunks delivered before it prove nothing. The backfill starts again from the table's first key
   * after the announcement, its recorded progress reset: what is delivered after RESYNC_REQUIRED,
   * applied to an empty replica, equals the table.
   */
  @Test
  void aSlotReplacedMidBackfillStartsTheBackfillAgainAfterTheResync() throws Exception {
    PostgresServer pg = pg();
    fill(pg, "bf_gone", 3_000);
    pg.execute("CREATE PUBLICATION bf_gone_pub FOR TABLE bf_gone");
    try (Harness h = Harness.start(kit.system(), settings("bf_gone", 20));
        Writer writer = new Writer(pg, "bf_gone", 3_500, 13)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      CompletableFuture<Done> done =
          h.control.backfill(TableName.parse("bf_gone")).toCompletableFuture();
      Harness.await("some chunks", WAIT, () -> h.control.progress().backfill().chunks() >= 10);
      SlotReplacedIT.dropUnderTheSource(pg, "bf_gone_slot");
      await(done);
      writer.close();
      awaitCaughtUp(h, "bf_gone", 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      int resync = Harness.indexOf(got, null);
      assertThat(resync).as("the RESYNC_REQUIRED element").isPositive();
      assertThat(got.stream().filter(e -> e.kind() == Kind.RESYNC_REQUIRED).count()).isEqualTo(1);
      assertThat(got.subList(0, resync))
          .as("the backfill had delivered chunks before the slot was dropped")
          .anyMatch(e -> e.kind() == Kind.SNAPSHOT);
      List<ChangeEnvelope> after = got.subList(resync + 1, got.size());
      assertNoKeyTwice(after, "bf_gone");
      assertNoWatermarkDelivered(got);
      Map<String, List<String>> replica = new TreeMap<>();
      apply(replica, after, "bf_gone");
      assertEqual(replica, table("bf_gone"));
      Harness.await(
          "the finished backfill recorded",
          WAIT,
          () ->
              pg.queryLong(
                      "SELECT count(*) FROM public.bf_gone_progress WHERE table_name = 'bf_gone'"
                          + " AND finished")
                  == 1);
    }
  }

  /**
   * A partitioned table published via its root: the stream carries its changes under the root's
   * name, so the backfill reads the root (with its partitions) and delivers rows under its name.
   */
  @Test
  void aPartitionedTablePublishedViaItsRootIsBackfilledUnderItsName() throws Exception {
    PostgresServer pg = pg();
    fillPartitioned(pg, "bf_proot", 2_000, 1_000);
    pg.execute(
        "CREATE PUBLICATION bf_proot_pub FOR TABLE bf_proot"
            + " WITH (publish_via_partition_root = true)");
    try (Harness h = Harness.start(kit.system(), settings("bf_proot", 100));
        Writer writer = new Writer(pg, "bf_proot", 2_500, 17)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      await(h.control.backfill(TableName.parse("bf_proot")));
      writer.close();
      awaitCaughtUp(h, "bf_proot", 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(assertNoKeyTwice(got, "bf_proot")).hasSizeGreaterThan(1_000);
      assertThat(got)
          .as("rows and changes under the root's name only")
          .noneMatch(
              e -> e.relation().isPresent() && e.relation().get().name().startsWith("bf_proot_"));
      Map<String, List<String>> replica = new TreeMap<>();
      apply(replica, got, "bf_proot");
      assertEqual(replica, table("bf_proot"));
    }
  }

  /**
   * A partitioned table published without {@code publish_via_partition_root}: the stream carries
   * its changes under its partitions' names, so backfilling the root backfills each published
   * partition, one after another, under its own name; the returned stage completes once all have.
   */
  @Test
  void aPartitionedTablePublishedByItsPartitionsIsBackfilledPartitionByPartition()
      throws Exception {
    PostgresServer pg = pg();
    fillPartitioned(pg, "bf_pleaf", 2_000, 1_000);
    pg.execute("CREATE PUBLICATION bf_pleaf_pub FOR TABLE bf_pleaf");
    try (Harness h = Harness.start(kit.system(), settings("bf_pleaf", 100));
        Writer writer = new Writer(pg, "bf_pleaf", 2_500, 19)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      await(h.control.backfill(TableName.parse("bf_pleaf")));
      writer.close();
      awaitCaughtUp(h, "bf_pleaf_b", 1_000_000);
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(assertNoKeyTwice(got, "bf_pleaf_a")).hasSizeGreaterThan(500);
      assertThat(assertNoKeyTwice(got, "bf_pleaf_b")).hasSizeGreaterThan(500);
      for (String partition : List.of("bf_pleaf_a", "bf_pleaf_b")) {
        Map<String, List<String>> replica = new TreeMap<>();
        apply(replica, got, partition);
        assertEqual(replica, table(partition));
      }
      Harness.await(
          "both partitions recorded as finished",
          WAIT,
          () ->
              pg.queryLong(
                      "SELECT count(*) FROM public.bf_pleaf_progress WHERE finished"
                          + " AND table_name IN ('bf_pleaf_a', 'bf_pleaf_b')")
                  == 2);
    }
  }

  /**
   * While a backfill runs, progress() and the status say how far it is, with the number of chunks
   * expected from the planner's row count, as the snapshot does: {@code backfill: public.bf_est
   * 7/101 chunks, 350 rows (0 from the stream), 1 s}.
   */
  @Test
  void theBackfillsProgressCarriesTheExpectedChunks() throws Exception {
    PostgresServer pg = pg();
    fill(pg, "bf_est", 5_000);
    pg.execute("ANALYZE bf_est");
    pg.execute("CREATE PUBLICATION bf_est_pub FOR TABLE bf_est");
    try (Harness h = Harness.start(kit.system(), settings("bf_est", 50))) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      CompletableFuture<Done> done =
          h.control.backfill(TableName.parse("bf_est")).toCompletableFuture();
      AtomicReference<String> reason = new AtomicReference<>();
      AtomicReference<BackfillProgress> running = new AtomicReference<>();
      Harness.await(
          "a few chunks",
          WAIT,
          () -> {
            reason.set(h.control.status().reason());
            running.set(h.control.progress().backfill());
            return running.get().chunks() >= 3 || done.isDone();
          });
      assertThat(running.get().state()).isEqualTo(BackfillProgress.State.RUNNING);
      // 100 full chunks, then the short (here empty) one that ends it.
      assertThat(running.get().chunksEstimated()).isEqualTo(101);
      String line =
          "backfill: public\\.bf_est \\d+/101 chunks, \\d+ rows \\(0 from the stream\\), \\d+ s";
      assertThat(running.get().describe()).matches(line);
      // The backfill's words follow the connection's own reason, which they do not replace.
      assertThat(reason.get())
          .as("the status as the chunks went by")
          .matches("streaming from slot bf_est_slot; " + line);
      await(done);
      assertThat(h.control.progress().backfill().describe())
          .startsWith("backfill done: public.bf_est 101 chunks, 5000 rows");
    }
  }

  /**
   * A role with LOGIN REPLICATION and SELECT only, and the progress table in a schema it may not
   * create in: the backfill fails (the stream goes on) with a PRIVILEGE failure whose remediation
   * is the exact SQL to run once as a role that may; with only the CREATE TABLE run, the failure
   * names the GRANT; with both, the backfill works.
   */
  @Test
  void aRoleThatMayNotCreateTheProgressTableIsToldTheExactSqlToRun() throws Exception {
    PostgresServer pg = pg();
    fill(pg, "bf_priv", 300);
    pg.execute("CREATE PUBLICATION bf_priv_pub FOR TABLE bf_priv");
    pg.execute("CREATE SCHEMA bf_priv_s");
    pg.execute("CREATE ROLE bf_priv_lp LOGIN REPLICATION PASSWORD 'bf-priv-pw'");
    pg.execute("GRANT USAGE ON SCHEMA bf_priv_s TO bf_priv_lp");
    pg.execute("GRANT SELECT ON bf_priv TO bf_priv_lp");
    SourceSettings settings =
        settings("bf_priv", 100)
            .withUser("bf_priv_lp")
            .withPassword("bf-priv-pw")
            .withBackfillProgressTable("bf_priv_s.progress");
    try (Harness h = Harness.start(kit.system(), settings)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      SourceFailedException create = backfillFails(h, "bf_priv");
      assertThat(create.kind()).isEqualTo(FailureKind.PRIVILEGE);
      assertThat(create.problem())
          .contains("\"bf_priv_lp\"")
          .contains("may not create")
          .contains("\"bf_priv_s\".\"progress\"");
      String sql = sqlToRun(create.remediation());
      assertThat(sql)
          .startsWith("CREATE TABLE IF NOT EXISTS \"bf_priv_s\".\"progress\"")
          .endsWith(
              "; GRANT SELECT, INSERT, UPDATE, DELETE ON \"bf_priv_s\".\"progress\" TO"
                  + " \"bf_priv_lp\"");
      assertThat(create.remediation()).contains("GRANT CREATE ON SCHEMA \"bf_priv_s\"");
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.ACTIVE);

      // An administrator who creates the table but forgets the GRANT is told the GRANT.
      pg.execute(sql.substring(0, sql.indexOf("; GRANT")));
      SourceFailedException grant = backfillFails(h, "bf_priv");
      assertThat(grant.kind()).isEqualTo(FailureKind.PRIVILEGE);
      assertThat(grant.problem()).contains("may not write");
      assertThat(sqlToRun(grant.remediation()))
          .isEqualTo(
              "GRANT SELECT, INSERT, UPDATE, DELETE ON \"bf_priv_s\".\"progress\" TO"
                  + " \"bf_priv_lp\"");

      pg.execute(sqlToRun(grant.remediation()));
      await(h.control.backfill(TableName.parse("bf_priv")));
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      assertThat(assertNoKeyTwice(got, "bf_priv")).hasSize(300);
      Harness.await(
          "the finished backfill recorded",
          WAIT,
          () -> pg.queryLong("SELECT count(*) FROM bf_priv_s.progress WHERE finished") == 1);
    }
  }

  private static SourceFailedException backfillFails(Harness h, String table) {
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> await(h.control.backfill(TableName.parse(table))));
    assertThat(e.getCause()).isInstanceOf(SourceFailedException.class);
    return (SourceFailedException) e.getCause();
  }

  /** The SQL a remediation says to run: after "run once, as a role that may: ", up to " (or ". */
  private static String sqlToRun(String remediation) {
    String lead = "run once, as a role that may: ";
    assertThat(remediation).startsWith(lead);
    int end = remediation.indexOf(" (or ");
    return remediation.substring(lead.length(), end < 0 ? remediation.length() : end);
  }

  /**
   * A backfill delivered whole but not yet acknowledged when the slot is replaced: its progress was
   * never recorded as finished, and the gap lost the table's changes, so it is read again after
   * RESYNC_REQUIRED (like one in progress), not left half-recorded for a later start to continue.
   */
  @Test
  void aBackfillDeliveredButUnacknowledgedWhenTheSlotIsReplacedIsReadAgain() throws Exception {
    PostgresServer pg = pg();
    fill(pg, "bf_unack", 300);
    pg.execute("CREATE PUBLICATION bf_unack_pub FOR TABLE bf_unack");
    Harness.Consumer consumer = new Harness.Consumer();
    consumer.autoAck = e -> false;
    try (Harness h = Harness.start(kit.system(), settings("bf_unack", 100), consumer)) {
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      await(h.control.backfill(TableName.parse("bf_unack")));
      SlotReplacedIT.dropUnderTheSource(pg, "bf_unack_slot");
      pg.execute("UPDATE bf_unack SET n = n + 1 WHERE id % 7 = 0");
      Harness.await(
          "the backfill read again after RESYNC_REQUIRED",
          WAIT,
          () -> {
            List<ChangeEnvelope> got = List.copyOf(consumer.received);
            int resync = Harness.indexOf(got, null);
            return resync > 0
                && got.subList(resync, got.size()).stream()
                        .filter(e -> e.kind() == Kind.SNAPSHOT)
                        .count()
                    >= 300;
          });
      List<ChangeEnvelope> got = List.copyOf(consumer.received);
      List<ChangeEnvelope> after = got.subList(Harness.indexOf(got, null) + 1, got.size());
      assertNoKeyTwice(after, "bf_unack");
      Map<String, List<String>> replica = new TreeMap<>();
      apply(replica, after, "bf_unack");
      assertEqual(replica, table("bf_unack"));
    }
  }
}
