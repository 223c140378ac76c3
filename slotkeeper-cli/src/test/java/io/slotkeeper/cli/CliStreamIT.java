package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `slotkeeper stream` against a real server: the lines match the table, --end-lsn, HTTP, config
 * file.
 */
class CliStreamIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static Map<String, String> env() {
    return Map.of("PGPASSWORD", PG.server().superuserPassword());
  }

  private static String[] args(String... more) {
    PostgresServer pg = PG.server();
    return Stream.concat(
            Stream.of(more), Stream.of("--url", pg.jdbcUrl(), "--user", pg.superuser()))
        .toArray(String[]::new);
  }

  private static CliRun cli(String... more) {
    return CliRun.run(env(), args(more));
  }

  private static List<Map<String, Object>> lines(CliRun r) {
    return r.outLines().stream().map(TestJson::object).collect(Collectors.toList());
  }

  private static List<Map<String, Object>> changes(List<Map<String, Object>> lines) {
    return lines.stream()
        .filter(l -> !l.get("op").equals("begin") && !l.get("op").equals("commit"))
        .toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> obj(Object o) {
    return (Map<String, Object>) o;
  }

  private static String currentLsn() {
    return PG.server().queryString("SELECT pg_current_wal_lsn()::text");
  }

  @Test
  void snapshotInitialWritesEveryRowThenTheChanges() {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE snap_items (id int PRIMARY KEY, name text)");
    pg.execute("INSERT INTO snap_items SELECT g, 'n' || g FROM generate_series(1, 250) g");
    pg.execute("CREATE PUBLICATION snap_items_pub FOR TABLE snap_items");
    String end = currentLsn();
    CliRun r =
        cli(
            "stream",
            "--slot",
            "snap_items_slot",
            "--publication",
            "snap_items_pub",
            "--create-slot",
            "--snapshot",
            "initial",
            "--end-lsn",
            end);
    assertThat(r.exitCode).as(r.toString()).isZero();
    List<Map<String, Object>> all = lines(r);
    assertThat(all).hasSize(250);
    assertThat(all).allSatisfy(l -> assertThat(l).containsEntry("op", "snapshot"));
    assertThat(all)
        .extracting(l -> obj(l.get("new")).get("id"))
        .containsExactlyElementsOf(
            java.util.stream.IntStream.rangeClosed(1, 250).mapToObj(Integer::toString).toList());
    assertThat(all.get(0)).containsEntry("schema", "public").containsEntry("table", "snap_items");
    assertThat(obj(all.get(0).get("new"))).containsEntry("name", "n1");
  }

  /** Issue 12: the program's /status and /metrics carry the snapshot's figures. */
  @Test
  void httpCarriesTheSnapshotsFigures() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE snap_http_a (id int PRIMARY KEY, name text)");
    pg.execute("CREATE TABLE snap_http_b (id int PRIMARY KEY, name text)");
    pg.execute("INSERT INTO snap_http_a SELECT g, 'n' || g FROM generate_series(1, 3000) g");
    pg.execute("INSERT INTO snap_http_b SELECT g, 'n' || g FROM generate_series(1, 20) g");
    pg.execute("CREATE PUBLICATION snap_http_pub FOR TABLE snap_http_a, snap_http_b");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun.Background b =
        new CliRun.Background(
            env(),
            args(
                "stream",
                "--slot",
                "snap_http_slot",
                "--publication",
                "snap_http_pub",
                "--create-slot",
                "--snapshot",
                "initial",
                "--http",
                "127.0.0.1:" + port));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String base = "http://127.0.0.1:" + port;
    String label = "{slot=\"snap_http_slot\"}";
    await(
        "the snapshot done",
        () ->
            get(http, base + "/metrics")
                .body()
                .contains("slotkeeper_snapshot_state{slot=\"snap_http_slot\",state=\"done\"} 1"),
        b);
    String metrics = get(http, base + "/metrics").body();
    assertThat(metrics)
        .contains(
            "slotkeeper_snapshot_rows_total" + label + " 3020\n",
            "slotkeeper_snapshot_tables_done" + label + " 2\n",
            "slotkeeper_snapshot_tables_total" + label + " 2\n",
            "slotkeeper_snapshot_tables_skipped" + label + " 0\n",
            "slotkeeper_snapshot_elapsed_seconds" + label + " ");
    Map<String, Object> snapshot =
        obj(TestJson.object(get(http, base + "/status").body()).get("snapshot"));
    assertThat(snapshot)
        .containsEntry("state", "done")
        .containsEntry("rows", 3020L)
        .containsEntry("tables_done", 2L)
        .containsEntry("tables_total", 2L)
        .containsEntry("skipped", List.of());
    assertThat((Long) snapshot.get("elapsed_ms")).isPositive();
    b.cli.requestStop("test");
    assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
    long lines =
        b.out
            .toString(java.nio.charset.StandardCharsets.UTF_8)
            .lines()
            .filter(l -> !l.isBlank())
            .count();
    assertThat(lines).isEqualTo(3020);
  }

  @Test
  void linesMatchTheTableForEveryKindOfChange() {
    PostgresServer pg = PG.server();
    pg.execute(
        "CREATE TABLE items (id int PRIMARY KEY, name text, qty int, price numeric(8,2), seen timestamptz)");
    pg.execute("CREATE TABLE docs (id int PRIMARY KEY, title text, body text)");
    // Out of line and uncompressed: an update that leaves body alone sends it as unchanged TOAST.
    pg.execute("ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL");
    pg.execute("CREATE TABLE other (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION kinds_pub FOR TABLE items, docs, other");
    CliRun created = cli("slot", "create", "kinds_slot");
    assertThat(created.exitCode).as(created.toString()).isZero();
    assertThat(created.out).startsWith("created replication slot kinds_slot (pgoutput) at ");

    pg.execute(
        "INSERT INTO items VALUES (1, 'apple \"red\"', 3, 1.50, '2025-01-02 03:04:05.678+00'),"
            + " (2, NULL, NULL, NULL, NULL)");
    pg.execute("UPDATE items SET qty = 4 WHERE id = 1");
    pg.execute("DELETE FROM items WHERE id = 2");
    pg.execute(
        "INSERT INTO docs SELECT 1, 'doc', string_agg(md5(i::text), '') FROM generate_series(1, 300) i");
    pg.execute("UPDATE docs SET title = 'doc v2' WHERE id = 1");
    pg.execute("TRUNCATE other");
    pg.execute("SELECT pg_logical_emit_message(true, 'audit', 'h\u00e9llo')");
    String end = currentLsn();

    CliRun r =
        cli(
            "stream",
            "--slot",
            "kinds_slot",
            "--publication",
            "kinds_pub",
            "--with-tx",
            "--end-lsn",
            end);
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.err).as(r.toString()).isEmpty();
    List<Map<String, Object>> all = lines(r);
    List<Map<String, Object>> ch = changes(all);
    assertThat(ch)
        .extracting(l -> l.get("op"))
        .containsExactly(
            "insert", "insert", "update", "delete", "insert", "update", "truncate", "message");

    // Every change sits between a begin and a commit of its own transaction.
    Object xid = null;
    for (Map<String, Object> l : all) {
      switch ((String) l.get("op")) {
        case "begin" -> {
          assertThat(xid).isNull();
          xid = l.get("xid");
        }
        case "commit" -> {
          assertThat(l.get("xid")).isEqualTo(xid);
          xid = null;
        }
        default -> assertThat(l.get("xid")).isEqualTo(xid);
      }
    }
    assertThat(all.stream().filter(l -> l.get("op").equals("begin")).count()).isEqualTo(7);

    Map<String, Object> apple = ch.get(0);
    assertThat(apple).containsEntry("schema", "public").containsEntry("table", "items");
    assertThat((String) apple.get("commit_time")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    assertThat(obj(apple.get("new")))
        .containsEntry("id", "1")
        .containsEntry("name", "apple \"red\"")
        .containsEntry("qty", "3")
        .containsEntry("price", "1.50")
        .containsEntry("seen", pg.queryString("SELECT seen::text FROM items WHERE id = 1"));
    assertThat(obj(ch.get(1).get("new")))
        .containsEntry("id", "2")
        .containsEntry("name", null)
        .containsEntry("qty", null)
        .containsEntry("seen", null);
    Map<String, Object> upd = ch.get(2);
    assertThat(obj(upd.get("new")))
        .isEqualTo(
            pg.query(
                "SELECT id::text, name, qty::text, price::text, seen::text"
                    + " FROM items WHERE id = 1",
                rs -> {
                  rs.next();
                  Map<String, Object> m = new java.util.LinkedHashMap<>();
                  for (int i = 1; i <= 5; i++) {
                    m.put(rs.getMetaData().getColumnName(i), rs.getString(i));
                  }
                  return m;
                }));
    assertThat(upd).doesNotContainKey("old");
    assertThat(ch.get(3)).containsEntry("old_kind", "key");
    assertThat(obj(ch.get(3).get("old"))).isEqualTo(Map.of("id", "2"));

    String body = pg.queryString("SELECT body FROM docs WHERE id = 1");
    assertThat(obj(ch.get(4).get("new"))).containsEntry("body", body);
    Map<String, Object> toast = ch.get(5);
    assertThat(obj(toast.get("new"))).isEqualTo(Map.of("id", "1", "title", "doc v2"));
    assertThat(toast.get("unchanged_toast")).isEqualTo(List.of("body"));

    assertThat(ch.get(6).get("tables"))
        .isEqualTo(List.of(Map.of("schema", "public", "table", "other")));
    assertThat(ch.get(7))
        .containsEntry("prefix", "audit")
        .containsEntry("content", "h\u00e9llo")
        .containsEntry("content_encoding", "utf8")
        .containsEntry("transactional", true);
  }

  @Test
  void endLsnStopsAfterTheLastTransactionAtOrBeforeItAndARestartContinues() {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE e (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION e_pub FOR TABLE e");
    assertThat(cli("slot", "create", "e_slot").exitCode).isZero();
    pg.execute("INSERT INTO e VALUES (1)");
    pg.execute("INSERT INTO e VALUES (2)");
    String afterTwo = currentLsn();
    pg.execute("INSERT INTO e VALUES (3)");

    CliRun first =
        cli("stream", "--slot", "e_slot", "--publication", "e_pub", "--end-lsn", afterTwo);
    assertThat(first.exitCode).as(first.toString()).isZero();
    assertThat(lines(first)).extracting(l -> obj(l.get("new")).get("id")).containsExactly("1", "2");
    assertThat(lines(first))
        .allSatisfy(
            l ->
                assertThat(io.slotkeeper.Lsn.parse((String) l.get("commit_lsn")))
                    .isLessThanOrEqualTo(io.slotkeeper.Lsn.parse(afterTwo)));

    // Nothing comes after the end position this time: the stream ends once the server says so.
    String afterThree = currentLsn();
    long t0 = System.nanoTime();
    CliRun second =
        cli("stream", "--slot", "e_slot", "--publication", "e_pub", "--end-lsn", afterThree);
    assertThat(second.exitCode).as(second.toString()).isZero();
    assertThat(lines(second)).extracting(l -> obj(l.get("new")).get("id")).containsExactly("3");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));

    CliRun third =
        cli("stream", "--slot", "e_slot", "--publication", "e_pub", "--end-lsn", afterThree);
    assertThat(third.exitCode).as(third.toString()).isZero();
    assertThat(third.out).isEmpty();
  }

  @Test
  void httpEndpointsAnswerWhileStreamingAndAStopRequestDrains() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE h (id int PRIMARY KEY, v text)");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun.Background b =
        new CliRun.Background(
            env(),
            args(
                "stream",
                "--slot",
                "h_slot",
                "--publication",
                "h_pub",
                "--create-slot",
                "--create-publication",
                "--table",
                "public.h",
                "--http",
                "127.0.0.1:" + port));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String base = "http://127.0.0.1:" + port;
    await("ready", () -> get(http, base + "/ready").statusCode() == 200, b);
    await(
        "the slot notice", () -> b.err().contains("created replication slot h_slot (pgoutput)"), b);
    assertThat(b.err()).contains("created publication h_pub FOR TABLE public.h");

    pg.execute("INSERT INTO h VALUES (1, 'a'), (2, 'b')");
    pg.execute("INSERT INTO h VALUES (3, 'c')");
    await(
        "three rows written",
        () ->
            get(http, base + "/metrics")
                .body()
                .contains("slotkeeper_rows_written_total{slot=\"h_slot\"} 3"),
        b);

    String metrics = get(http, base + "/metrics").body();
    assertThat(metrics)
        .contains(
            "# TYPE slotkeeper_received_lsn gauge",
            "slotkeeper_confirmed_lsn{slot=\"h_slot\"} ",
            "slotkeeper_lag_bytes{slot=\"h_slot\"} ",
            "slotkeeper_reconnects_total{slot=\"h_slot\"} 0",
            "slotkeeper_delivered_envelopes_total{slot=\"h_slot\"} ",
            "slotkeeper_rows_per_second{slot=\"h_slot\"} ",
            "slotkeeper_status{slot=\"h_slot\",level=\"ACTIVE\"} 1",
            "# TYPE slotkeeper_retained_wal_bytes gauge",
            "slotkeeper_heal_attempts_total{slot=\"h_slot\"} 0");
    assertThat(
            metrics.lines().filter(l -> l.startsWith("slotkeeper_acknowledged_transactions_total")))
        .singleElement()
        .asString()
        .endsWith(" 2");
    assertThat(metrics).contains("slotkeeper_unacknowledged_units{slot=\"h_slot\"} 0");
    Map<String, Object> status = TestJson.object(get(http, base + "/status").body());
    assertThat(status)
        .containsEntry("level", "ACTIVE")
        .containsEntry("slot", "h_slot")
        .containsKeys("reason", "since");
    assertThat(obj(status.get("progress")))
        .containsEntry("acknowledged_transactions", 2L)
        .containsEntry("unacknowledged_units", 0L)
        .containsEntry("rows_written", 3L)
        .containsKeys("received_lsn", "confirmed_lsn", "lag_bytes", "reconnects");
    assertThat(get(http, base + "/nope").statusCode()).isEqualTo(404);

    // The server's view while it streams: `slotkeeper status` names the walsender.
    CliRun st = cli("status", "h_slot", "--json");
    assertThat(st.exitCode).as(st.toString()).isZero();
    Map<String, Object> slot = TestJson.object(st.out.trim());
    assertThat(slot)
        .containsEntry("state", "active")
        .containsEntry("active", true)
        .containsEntry("plugin", "pgoutput");
    assertThat(slot.get("active_pid")).isNotNull();

    b.cli.requestStop("test");
    assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
    List<String> out = List.of(b.out.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n"));
    assertThat(out).hasSize(3);
    assertThat(out.stream().map(TestJson::object).map(l -> obj(l.get("new")).get("id")))
        .containsExactly("1", "2", "3");
  }

  /**
   * Issue 12, online backfill: --backfill (repeatable) re-reads published tables on the slot being
   * streamed; their rows come as snapshot lines between the changes, a line on stderr says when
   * each is done, and a table that cannot be backfilled is said on stderr while the stream goes on.
   */
  @Test
  void backfillWritesTheTablesRowsAsSnapshotLinesWhileStreaming() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE bf_items (id int PRIMARY KEY, name text)");
    pg.execute("INSERT INTO bf_items SELECT g, 'n' || g FROM generate_series(1, 2500) g");
    pg.execute("CREATE TABLE bf_nokey (v text)");
    pg.execute("CREATE PUBLICATION bf_pub FOR TABLE bf_items, bf_nokey");
    assertThat(cli("slot", "create", "bf_slot").exitCode).isZero();
    CliRun.Background b =
        new CliRun.Background(
            env(),
            args(
                "stream",
                "--slot",
                "bf_slot",
                "--publication",
                "bf_pub",
                "--backfill",
                "public.bf_items",
                "--backfill",
                "bf_nokey"));
    pg.waitForActiveWalsender("bf_slot", Duration.ofSeconds(30));
    pg.execute("INSERT INTO bf_items VALUES (5000, 'during')");
    await("the backfill done", () -> b.err().contains("backfill of public.bf_items done"), b);
    await("the refusal", () -> b.err().contains("cannot backfill public.bf_nokey"), b);
    await(
        "the insert",
        () -> b.out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("\"during\""),
        b);
    await(
        "the program's acknowledgement of the last chunk recorded",
        () ->
            pg.queryLong(
                    "SELECT count(*) FROM public.slotkeeper_backfill WHERE slot_name = 'bf_slot'"
                        + " AND table_name = 'bf_items' AND finished")
                == 1,
        b);
    assertThat(b.exit).isNotDone();
    b.cli.requestStop("test");
    assertThat(b.exit.get(30, TimeUnit.SECONDS)).isZero();
    List<Map<String, Object>> all =
        b.out
            .toString(java.nio.charset.StandardCharsets.UTF_8)
            .lines()
            .map(TestJson::object)
            .toList();
    List<Map<String, Object>> snapshot =
        all.stream().filter(l -> l.get("op").equals("snapshot")).toList();
    assertThat(snapshot)
        .extracting(l -> obj(l.get("new")).get("id"))
        .doesNotHaveDuplicates()
        .containsAll(
            java.util.stream.IntStream.rangeClosed(1, 2500).mapToObj(Integer::toString).toList());
    assertThat(snapshot.get(0))
        .containsEntry("schema", "public")
        .containsEntry("table", "bf_items");
    assertThat(b.err()).contains("primary key").doesNotContain("\tat ");
  }

  @Test
  void aKilledWalsenderIsAWarningAndTheStreamGoesOn() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE k (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION k_pub FOR TABLE k");
    assertThat(cli("slot", "create", "k_slot").exitCode).isZero();
    CliRun.Background b =
        new CliRun.Background(env(), args("stream", "--slot", "k_slot", "--publication", "k_pub"));
    pg.waitForActiveWalsender("k_slot", Duration.ofSeconds(30));
    pg.execute("INSERT INTO k VALUES (1)");
    await(
        "the first row",
        () -> b.out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("\"1\""),
        b);
    pg.terminateWalsender("k_slot");
    await("the warning", () -> b.err().contains("stream active again"), b);
    pg.execute("INSERT INTO k VALUES (2)");
    await(
        "the second row",
        () -> b.out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("\"2\""),
        b);
    assertThat(b.exit).isNotDone();
    assertThat(b.err())
        .contains("slotkeeper: warning: replication stream interrupted (was ACTIVE")
        .contains("reconnecting in")
        .doesNotContain("\tat ");
    b.cli.requestStop("test");
    assertThat(b.exit.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(b.out.toString(java.nio.charset.StandardCharsets.UTF_8).lines()).hasSize(2);
  }

  @Test
  void aTemporarySlotLostWithItsConnectionWritesAResyncRequiredJsonLine() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE r (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION r_pub FOR TABLE r");
    // A temporary slot is dropped with its connection: the reconnect starts a new one, leaving a
    // gap.
    Path conf = java.nio.file.Files.createTempFile("resync", ".conf");
    java.nio.file.Files.writeString(
        conf, "slotkeeper.source.slot { temporary = on, create-if-missing = on }\n");
    try {
      CliRun.Background b =
          new CliRun.Background(
              env(),
              args(
                  "stream",
                  "--config",
                  conf.toString(),
                  "--slot",
                  "r_slot",
                  "--publication",
                  "r_pub"));
      pg.waitForActiveWalsender("r_slot", Duration.ofSeconds(30));
      pg.execute("INSERT INTO r VALUES (1)");
      await(
          "the first row",
          () -> b.out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("\"1\""),
          b);
      pg.terminateWalsender("r_slot");
      await(
          "the resync line",
          () -> b.out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("resync_required"),
          b);
      pg.execute("INSERT INTO r VALUES (2)");
      await(
          "the second row",
          () -> b.out.toString(java.nio.charset.StandardCharsets.UTF_8).contains("\"2\""),
          b);
      b.cli.requestStop("test");
      assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
      // Every line is JSON; the resync line sits between the two rows and names the gap.
      List<Map<String, Object>> out =
          b.out
              .toString(java.nio.charset.StandardCharsets.UTF_8)
              .lines()
              .map(TestJson::object)
              .toList();
      assertThat(out)
          .extracting(l -> l.get("op"))
          .containsExactly("insert", "resync_required", "insert");
      Map<String, Object> resync = out.get(1);
      assertThat(resync)
          .containsEntry("slot", "r_slot")
          .containsKeys("last_confirmed_lsn", "new_start_lsn", "reason");
      assertThat((String) resync.get("new_start_lsn")).matches("[0-9A-F]+/[0-9A-F]+");
      assertThat((String) resync.get("last_confirmed_lsn")).matches("[0-9A-F]+/[0-9A-F]+");
      assertThat((String) resync.get("reason")).isNotBlank();
    } finally {
      java.nio.file.Files.deleteIfExists(conf);
    }
  }

  @Test
  void theExampleApplicationConfWorksWithTheConnectionFilledIn() {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE c (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION app_pub FOR TABLE c");
    assertThat(cli("slot", "create", "app_slot").exitCode).isZero();
    pg.execute("INSERT INTO c VALUES (42)");
    CliRun r =
        cli(
            "stream",
            "--config",
            Path.of("..", "application.conf").toString(),
            "--end-lsn",
            currentLsn());
    assertThat(r.exitCode).as(r.toString()).isZero();
    assertThat(r.err).isEmpty();
    assertThat(lines(r)).extracting(l -> obj(l.get("new")).get("id")).containsExactly("42");
  }

  @Test
  void slotChoresAndStatus() {
    CliRun created = cli("slot", "create", "chore_slot");
    assertThat(created.exitCode).as(created.toString()).isZero();
    CliRun again = cli("slot", "create", "chore_slot");
    assertThat(again.exitCode).isEqualTo(1);
    assertThat(again.err).contains("already exists").contains("slotkeeper slot drop chore_slot");

    CliRun text = cli("status", "--slot", "chore_slot");
    assertThat(text.exitCode).as(text.toString()).isZero();
    assertThat(text.out)
        .contains("slot chore_slot")
        .contains("inactive")
        .contains("confirmed_flush")
        .contains("retained WAL")
        .contains("wal_status");
    Map<String, Object> json = TestJson.object(cli("status", "chore_slot", "--json").out.trim());
    assertThat(json)
        .containsEntry("slot", "chore_slot")
        .containsEntry("state", "inactive")
        .containsEntry("active_pid", null)
        .containsEntry("wal_status", "reserved");
    assertThat(json.get("retained_wal_bytes")).isInstanceOf(Long.class);
    assertThat(json.get("lag_bytes")).isInstanceOf(Long.class);

    CliRun list = cli("slot", "list");
    assertThat(list.out).contains("SLOT").contains("chore_slot");
    @SuppressWarnings("unchecked")
    List<Object> listed = (List<Object>) TestJson.parse(cli("slot", "list", "--json").out.trim());
    assertThat(listed).extracting(o -> obj(o).get("slot")).contains("chore_slot");

    // A consumer that died mid-snapshot leaves its slot and the mark of the unfinished snapshot
    // (a physical slot reserving no WAL); dropping the slot drops the mark too.
    String mark =
        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'slotkeeper_snap_chore_slot'";
    PG.server().execute("SELECT pg_create_physical_replication_slot('slotkeeper_snap_chore_slot')");
    assertThat(PG.server().queryLong(mark)).isEqualTo(1);
    assertThat(cli("slot", "drop", "chore_slot").exitCode).isZero();
    assertThat(PG.server().queryLong(mark)).as("the unfinished snapshot's mark").isZero();
    CliRun gone = cli("slot", "drop", "chore_slot");
    assertThat(gone.exitCode).isEqualTo(1);
    assertThat(gone.err).contains("does not exist");
    CliRun noStatus = cli("status", "chore_slot");
    assertThat(noStatus.exitCode).isEqualTo(1);
    assertThat(noStatus.errLines()).hasSize(1);
  }

  private static HttpResponse<String> get(HttpClient http, String url) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, BooleanSupplier condition, CliRun.Background b)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<Throwable> errors = new ArrayList<>();
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (NullPointerException e) {
        errors.add(e); // not listening yet
      }
      if (b.exit.isDone() || System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what + "; stderr: " + b.err());
      }
      Thread.sleep(100);
    }
  }
}
