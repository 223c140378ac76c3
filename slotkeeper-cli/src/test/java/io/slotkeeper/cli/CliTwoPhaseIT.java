package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `slotkeeper stream --two-phase` (issue 15): a prepared transaction is written at PREPARE, its
 * changes then a prepare line with the GID, and its outcome later as a commit_prepared or
 * rollback_prepared line with the GID.
 */
class CliTwoPhaseIT {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(16)
          .setting("max_prepared_transactions", "5")
          .setting("logical_decoding_work_mem", "64kB")
          .build();

  private static CliRun cli(String... more) {
    PostgresServer pg = PG.server();
    String[] args =
        Stream.concat(Stream.of(more), Stream.of("--url", pg.jdbcUrl(), "--user", pg.superuser()))
            .toArray(String[]::new);
    return CliRun.run(Map.of("PGPASSWORD", pg.superuserPassword()), args);
  }

  private static void prepare(String gid, int... ids) throws Exception {
    try (Connection c = PG.server().connect();
        Statement st = c.createStatement()) {
      st.execute("BEGIN");
      for (int id : ids) {
        st.execute("INSERT INTO orders VALUES (" + id + ")");
      }
      st.execute("PREPARE TRANSACTION '" + gid + "'");
    }
  }

  @Test
  void preparedTransactionsAreWrittenAsPrepareThenCommitOrRollbackPreparedLinesWithTheGid()
      throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE orders (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION orders_pub FOR TABLE orders");
    assertThat(cli("slot", "create", "orders_2pc").exitCode).isZero();
    prepare("order-1", 1, 2);
    prepare("order-2", 3);
    pg.execute("COMMIT PREPARED 'order-1'");
    pg.execute("ROLLBACK PREPARED 'order-2'");
    pg.execute("INSERT INTO orders VALUES (10)");
    String end = pg.queryString("SELECT pg_current_wal_lsn()::text");

    CliRun run =
        cli(
            "stream",
            "--slot",
            "orders_2pc",
            "--publication",
            "orders_pub",
            "--two-phase",
            "--with-tx",
            "--end-lsn",
            end);
    assertThat(run.exitCode).as(run.toString()).isZero();
    List<Map<String, Object>> lines = run.outLines().stream().map(TestJson::object).toList();
    assertThat(lines.stream().map(l -> l.get("op")).toList())
        .containsExactly(
            "begin_prepare",
            "insert",
            "insert",
            "prepare",
            "begin_prepare",
            "insert",
            "prepare",
            "commit_prepared",
            "rollback_prepared",
            "begin",
            "insert",
            "commit");
    assertThat(lines.stream().map(l -> String.valueOf(l.get("gid"))).toList())
        .containsExactly(
            "order-1", "null", "null", "order-1", "order-2", "null", "order-2", "order-1",
            "order-2", "null", "null", "null");
    Map<String, Object> prepare = lines.get(3);
    assertThat(prepare.get("lsn")).isEqualTo(prepare.get("commit_lsn"));
    assertThat(lines.get(1).get("commit_lsn")).isEqualTo(prepare.get("lsn"));
    assertThat(prepare.get("xid")).isEqualTo(lines.get(7).get("xid"));
    assertThat(prepare).containsKey("end_lsn");
    assertThat(lines.get(7)).containsKey("end_lsn");
    assertThat(lines.get(8).get("prepare_end_lsn")).isEqualTo(lines.get(6).get("end_lsn"));
    assertThat(
            pg.queryString(
                "SELECT two_phase::text FROM pg_replication_slots WHERE slot_name = 'orders_2pc'"))
        .isEqualTo("true");
  }

  @Test
  void withDeliverInProgressAStreamedPreparedTransactionEndsWithAStreamPrepareLine()
      throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE big (id int PRIMARY KEY, pad text)");
    pg.execute("CREATE PUBLICATION big_pub FOR TABLE big");
    assertThat(cli("slot", "create", "big_2pc").exitCode).isZero();
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      st.execute("BEGIN");
      // about 1 MB, past 64kB of logical_decoding_work_mem: the server streams it
      st.execute("INSERT INTO big SELECT g, repeat('x', 200) FROM generate_series(1, 5000) g");
      st.execute("PREPARE TRANSACTION 'big-1'");
    }
    pg.execute("COMMIT PREPARED 'big-1'");
    String end = pg.queryString("SELECT pg_current_wal_lsn()::text");

    CliRun run =
        cli(
            "stream",
            "--slot",
            "big_2pc",
            "--publication",
            "big_pub",
            "--two-phase",
            "--streaming",
            "on",
            "--deliver-in-progress",
            "--end-lsn",
            end);
    assertThat(run.exitCode).as(run.toString()).isZero();
    List<Map<String, Object>> lines = run.outLines().stream().map(TestJson::object).toList();
    List<Object> ops = lines.stream().map(l -> l.get("op")).toList();
    assertThat(ops.get(0)).isEqualTo("stream_start");
    assertThat(ops.stream().filter("insert"::equals).count()).isEqualTo(5000);
    assertThat(ops.subList(ops.size() - 3, ops.size()))
        .containsExactly("stream_stop", "stream_prepare", "commit_prepared");
    Map<String, Object> prepared = lines.get(lines.size() - 2);
    assertThat(prepared.get("gid")).isEqualTo("big-1");
    assertThat(prepared).containsKey("end_lsn");
    assertThat(lines.get(lines.size() - 1).get("gid")).isEqualTo("big-1");
  }
}
