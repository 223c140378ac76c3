package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.pgoutput.Origin;
import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Origins on the servers after 16 (OriginIT runs on 16): a small transaction and a streamed one
 * (streaming = auto, which is parallel there), both written with a replication origin, carry it on
 * every envelope with origin = any, and are left out with origin = none.
 */
class OriginVersionsIT extends ActorSystemPerClass {
  private static final Lsn ORIGIN_LSN = Lsn.parse("0/ABCDEF");

  private static void withOrigin(PostgresServer pg, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.connectionProperties());
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_replication_origin_session_setup('o1')");
      c.setAutoCommit(false);
      s.execute("SELECT pg_replication_origin_xact_setup('" + ORIGIN_LSN + "', now())");
      s.execute(sql);
      c.commit();
      c.setAutoCommit(true);
      s.execute("SELECT pg_replication_origin_session_reset()");
    }
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {17, 18})
  void originsOnEveryEnvelopeAndFilteredByNone(int version) throws Exception {
    try (PostgresServer pg =
        PostgresServer.builder()
            .version(version)
            .setting("logical_decoding_work_mem", "64kB")
            .start()) {
      pg.execute("CREATE TABLE o (id text PRIMARY KEY)");
      pg.execute("CREATE PUBLICATION o_pub FOR TABLE o");
      pg.execute("SELECT pg_replication_origin_create('o1')");
      pg.execute("SELECT pg_create_logical_replication_slot('o_any', 'pgoutput')");
      pg.execute("SELECT pg_create_logical_replication_slot('o_none', 'pgoutput')");
      withOrigin(pg, "INSERT INTO o VALUES ('small')");
      withOrigin(
          pg,
          "INSERT INTO o SELECT 'big-' || g || repeat('x', 500) FROM generate_series(1, 300) g");
      pg.execute("INSERT INTO o VALUES ('local')");

      SourceSettings any =
          Harness.settings(pg, "o_any", "o_pub").withStreaming(StreamSettings.Streaming.AUTO);
      try (Harness h = Harness.start(kit.system(), any)) {
        Harness.await(
            "local", Duration.ofSeconds(60), () -> h.consumer.insertedIds().contains("local"));
        List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
        int local = Harness.indexOf(got, "local");
        int localBegin = local;
        while (got.get(localBegin).kind() != ChangeEnvelope.Kind.BEGIN) {
          localBegin--;
        }
        List<ChangeEnvelope> small = got.subList(0, 3);
        assertThat(small)
            .extracting(ChangeEnvelope::kind)
            .containsExactly(
                ChangeEnvelope.Kind.BEGIN, ChangeEnvelope.Kind.INSERT, ChangeEnvelope.Kind.COMMIT);
        assertThat(small)
            .allSatisfy(e -> assertThat(e.origin()).contains(new Origin(ORIGIN_LSN, "o1")));
        List<ChangeEnvelope> big = got.subList(3, localBegin);
        assertThat(big).hasSize(302);
        // Streamed: the server sends the origin inside the first block, without its LSN.
        assertThat(big)
            .allSatisfy(e -> assertThat(e.origin()).contains(new Origin(Lsn.INVALID, "o1")));
        assertThat(got.subList(localBegin, got.size()))
            .allSatisfy(e -> assertThat(e.origin()).isEmpty());
        assertThat(
                pg.queryLong(
                    "SELECT coalesce(sum(stream_txns), 0) FROM pg_stat_replication_slots"
                        + " WHERE slot_name = 'o_any'"))
            .isPositive();
      }

      SourceSettings none = Harness.settings(pg, "o_none", "o_pub");
      none = none.withStream(none.stream().withOrigin(StreamSettings.OriginFilter.NONE));
      try (Harness h = Harness.start(kit.system(), none)) {
        Harness.await(
            "local", Duration.ofSeconds(60), () -> h.consumer.insertedIds().contains("local"));
        assertThat(h.consumer.insertedIds()).containsExactly("local");
      }
    }
  }
}
