package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15: while a streamed transaction is open and spooled, keepalives (with idle advance on and
 * nothing delivered) never confirm the slot past its first change. The first change lies between
 * the WAL insert positions taken before and after the statement that wrote it, so the slot must
 * stay below the latter; without the rule it follows the walsender's sent position to it.
 */
class StreamedTransactionClampIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().version(16).setting("logical_decoding_work_mem", "64kB").build();

  @Test
  void keepalivesDoNotConfirmPastTheFirstChangeOfAnOpenStreamedTransaction() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE cl (id int PRIMARY KEY, pad text)");
    pg.execute("CREATE PUBLICATION cl_pub FOR TABLE cl");
    pg.execute("SELECT pg_create_logical_replication_slot('cl_slot', 'pgoutput')");
    SourceSettings s =
        Harness.settings(pg, "cl_slot", "cl_pub")
            .withStreaming(StreamSettings.Streaming.ON)
            .withKeepaliveInterval(Duration.ofMillis(200));
    try (Harness h = Harness.start(kit.system(), s);
        Connection c = pg.connect();
        Statement st = c.createStatement()) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      c.setAutoCommit(false);
      st.execute("INSERT INTO cl SELECT g, repeat('x', 500) FROM generate_series(1, 600) g");
      Lsn afterFirstStatement = Lsn.parse(pg.queryString("SELECT pg_current_wal_insert_lsn()"));
      Harness.await(
          "the server to stream the open transaction",
          Duration.ofSeconds(30),
          () ->
              pg.queryLong(
                      "SELECT coalesce(sum(stream_txns), 0) FROM pg_stat_replication_slots"
                          + " WHERE slot_name = 'cl_slot'")
                  >= 1);
      Harness.await(
          "the walsender to have sent past the statement",
          Duration.ofSeconds(30),
          () ->
              !Lsn.parse(pg.queryString("SELECT sent_lsn FROM pg_stat_replication LIMIT 1"))
                  .isBefore(afterFirstStatement));
      Thread.sleep(2000); // ten keepalive intervals, each a status update
      Lsn confirmed =
          Lsn.parse(
              pg.queryString(
                  "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'cl_slot'"));
      assertThat(confirmed)
          .as("confirmed_flush_lsn while the streamed transaction is open")
          .isLessThan(afterFirstStatement);
      c.commit();
      Harness.await(
          "the transaction", Duration.ofSeconds(60), () -> h.consumer.insertedIds().size() >= 600);
    }
  }
}
