package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
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
 * `slotkeeper stream --streaming on --deliver-in-progress` (issue 15): a streamed transaction's
 * chunks are written as they arrive, between {@code stream_start} and {@code stream_stop} lines,
 * with {@code in_progress} true; the transaction ends with a {@code stream_commit} line (which is
 * what the program acknowledges) or a {@code stream_abort} line. With {@code
 * logical_decoding_work_mem = 64kB} the server streams every transaction of a few hundred wide
 * rows.
 */
class CliDeliverInProgressIT {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().version(16).setting("logical_decoding_work_mem", "64kB").build();

  private static CliRun cli(String... more) {
    PostgresServer pg = PG.server();
    String[] args =
        Stream.concat(Stream.of(more), Stream.of("--url", pg.jdbcUrl(), "--user", pg.superuser()))
            .toArray(String[]::new);
    return CliRun.run(Map.of("PGPASSWORD", pg.superuserPassword()), args);
  }

  private static String insert(int from, int to) {
    return "INSERT INTO big SELECT g, repeat('x', 500) FROM generate_series("
        + from
        + ", "
        + to
        + ") g";
  }

  @Test
  void streamedTransactionsAreWrittenAsTheyArriveBetweenStreamLines() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE big (id int PRIMARY KEY, pad text)");
    pg.execute("CREATE PUBLICATION big_pub FOR TABLE big");
    assertThat(cli("slot", "create", "big_slot").exitCode).isZero();
    try (Connection c = pg.connect();
        Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.execute(insert(1, 300));
      c.commit();
      s.execute(insert(1001, 1300));
      c.rollback();
    }
    pg.execute("INSERT INTO big VALUES (5000, 'small')");
    String end = pg.queryString("SELECT pg_current_wal_lsn()::text");

    CliRun run =
        cli(
            "stream",
            "--slot",
            "big_slot",
            "--publication",
            "big_pub",
            "--streaming",
            "on",
            "--deliver-in-progress",
            "--end-lsn",
            end);
    assertThat(run.exitCode).as(run.toString()).isZero();
    List<Map<String, Object>> lines = run.outLines().stream().map(TestJson::object).toList();
    List<Object> ops = lines.stream().map(l -> l.get("op")).toList();

    // The committed transaction: stream_start (first segment), its 300 inserts in progress in one
    // or more blocks, stream_commit; then the aborted one, ending in a stream_abort; then the
    // small transaction, written as usual.
    assertThat(ops.get(0)).isEqualTo("stream_start");
    assertThat(lines.get(0).get("first_segment")).isEqualTo(true);
    long committedXid = ((Number) lines.get(0).get("xid")).longValue();
    int commit = ops.indexOf("stream_commit");
    assertThat(commit).isPositive();
    List<Map<String, Object>> committed = lines.subList(0, commit + 1);
    assertThat(committed.stream().filter(l -> "insert".equals(l.get("op"))))
        .hasSize(300)
        .allSatisfy(
            l -> {
              assertThat(l.get("in_progress")).isEqualTo(true);
              assertThat(((Number) l.get("xid")).longValue()).isEqualTo(committedXid);
              assertThat(l.get("commit_lsn")).isNull();
            });
    assertThat(committed.stream().filter(l -> "stream_stop".equals(l.get("op")))).isNotEmpty();
    Map<String, Object> streamCommit = lines.get(commit);
    assertThat(((Number) streamCommit.get("xid")).longValue()).isEqualTo(committedXid);
    assertThat(streamCommit.get("commit_lsn")).isNotNull();
    assertThat(streamCommit.get("end_lsn")).isNotNull();
    assertThat(streamCommit.get("commit_time")).isNotNull();

    int abort = ops.indexOf("stream_abort");
    assertThat(abort).isGreaterThan(commit);
    Map<String, Object> streamAbort = lines.get(abort);
    long abortedXid = ((Number) streamAbort.get("xid")).longValue();
    assertThat(abortedXid).isNotEqualTo(committedXid);
    assertThat(((Number) streamAbort.get("sub_xid")).longValue()).isEqualTo(abortedXid);
    assertThat(
            lines.subList(commit + 1, abort).stream()
                .filter(l -> "insert".equals(l.get("op")))
                .map(l -> l.get("in_progress")))
        .isNotEmpty()
        .containsOnly(true);

    List<Map<String, Object>> after = lines.subList(abort + 1, lines.size());
    assertThat(after).hasSize(1);
    assertThat(after.get(0).get("op")).isEqualTo("insert");
    assertThat(after.get(0)).doesNotContainKey("in_progress");

    // Acknowledged after it was written: the slot is past the streamed transaction's commit.
    Lsn confirmed =
        Lsn.parse(
            pg.queryString(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots"
                    + " WHERE slot_name = 'big_slot'"));
    assertThat(confirmed.compareTo(Lsn.parse((String) streamCommit.get("end_lsn"))))
        .isGreaterThanOrEqualTo(0);
  }

  @Test
  void deliverInProgressWithStreamingOffIsAUsageError() {
    CliRun run =
        cli(
            "stream",
            "--slot",
            "x_slot",
            "--publication",
            "x_pub",
            "--streaming",
            "off",
            "--deliver-in-progress");
    assertThat(run.exitCode).isEqualTo(CliException.USAGE);
    assertThat(run.err).contains("--deliver-in-progress").contains("--streaming");
  }
}
