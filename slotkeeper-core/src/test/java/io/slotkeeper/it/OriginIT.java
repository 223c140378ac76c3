package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.pgoutput.Origin;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replication origins (issue 15, 16+): a transaction written by a session with a replication origin
 * set (as logical replication's apply workers do) carries the Origin message's name and LSN on its
 * envelopes; {@code origin = none} leaves such transactions out. The origin is real: created with
 * {@code pg_replication_origin_create} and set up in the writing session.
 *
 * <p>The server sends Begin and Origin in one callback, so that Begin's XLogData walStart is 0/0:
 * acknowledging and resuming must still neither lose nor repeat anything around such a transaction.
 * The origin is on every envelope of the transaction, its BEGIN included, and on those of a
 * streamed transaction too, whose Origin message comes once, inside its first stream block, with
 * LSN 0/0 ({@code logical_decoding_work_mem = 64kB} makes a few hundred rows stream).
 */
class OriginIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().version(16).setting("logical_decoding_work_mem", "64kB").build();

  private static final Lsn ORIGIN_LSN = Lsn.parse("0/ABCDEF");

  @BeforeAll
  static void schema() {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE o (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION o_pub FOR TABLE o");
    pg.execute("SELECT pg_replication_origin_create('o1')");
  }

  /** Inserts {@code id} in a transaction written with replication origin o1. */
  private static void insertWithOrigin(String id) throws Exception {
    PostgresServer pg = PG.server();
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.connectionProperties());
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_replication_origin_session_setup('o1')");
      c.setAutoCommit(false);
      s.execute("SELECT pg_replication_origin_xact_setup('" + ORIGIN_LSN + "', now())");
      s.execute("INSERT INTO o VALUES ('" + id + "')");
      c.commit();
      c.setAutoCommit(true);
      s.execute("SELECT pg_replication_origin_session_reset()");
    }
  }

  private static void insert(String id) {
    PG.server().execute("INSERT INTO o VALUES ('" + id + "')");
  }

  private static SourceSettings settings(String slot, StreamSettings.OriginFilter origin) {
    PG.server().execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
    SourceSettings s = Harness.settings(PG.server(), slot, "o_pub");
    return s.withStream(s.stream().withOrigin(origin));
  }

  private static Optional<Origin> originOfInsert(List<ChangeEnvelope> got, String id) {
    return got.get(Harness.indexOf(got, id)).origin();
  }

  /** The COMMIT envelope of the transaction that inserted {@code id}. */
  private static ChangeEnvelope commitOf(List<ChangeEnvelope> got, String id) {
    for (int i = Harness.indexOf(got, id); i < got.size(); i++) {
      if (got.get(i).isCommit()) {
        return got.get(i);
      }
    }
    throw new AssertionError("no commit after " + id);
  }

  /** The BEGIN envelope of the transaction that inserted {@code id}. */
  private static ChangeEnvelope beginOf(List<ChangeEnvelope> got, String id) {
    for (int i = Harness.indexOf(got, id); i >= 0; i--) {
      if (got.get(i).kind() == ChangeEnvelope.Kind.BEGIN) {
        return got.get(i);
      }
    }
    throw new AssertionError("no begin before " + id);
  }

  /**
   * Inserts {@code rows} wide rows {@code prefix-1...} in one transaction written with replication
   * origin o1: with 64kB of decoding memory the server streams it.
   */
  private static void insertManyWithOrigin(String prefix, int rows) throws Exception {
    PostgresServer pg = PG.server();
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.connectionProperties());
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_replication_origin_session_setup('o1')");
      c.setAutoCommit(false);
      s.execute("SELECT pg_replication_origin_xact_setup('" + ORIGIN_LSN + "', now())");
      s.execute(
          "INSERT INTO o SELECT '"
              + prefix
              + "-' || g || repeat('x', 500) FROM generate_series(1, "
              + rows
              + ") g");
      c.commit();
      c.setAutoCommit(true);
      s.execute("SELECT pg_replication_origin_session_reset()");
    }
  }

  private static long streamedTransactions(String slot) {
    return PG.server()
        .queryLong(
            "SELECT coalesce(sum(stream_txns), 0) FROM pg_stat_replication_slots WHERE slot_name = '"
                + slot
                + "'");
  }

  private static SourceSettings streamed(
      String slot, StreamSettings.OriginFilter origin, boolean deliverInProgress) {
    SourceSettings s = settings(slot, origin).withStreaming(StreamSettings.Streaming.ON);
    return s.withStream(s.stream().withDeliverInProgress(deliverInProgress));
  }

  /**
   * A streamed transaction with an origin, spooled and delivered whole at Stream Commit: every
   * envelope of it, BEGIN and COMMIT included, carries the origin's name; its LSN is 0/0, as the
   * server sends it inside a stream (the origin's LSN is only known at commit, and Stream Commit
   * does not carry it). The transaction after it, without origin, carries none.
   */
  @Test
  void aStreamedTransactionCarriesItsOriginOnEveryEnvelope() throws Exception {
    SourceSettings s = streamed("o_stream", StreamSettings.OriginFilter.ANY, false);
    insertManyWithOrigin("st", 400);
    insert("st-after");
    Harness h = Harness.start(kit.system(), s);
    try {
      Harness.await(
          "st-after", Duration.ofSeconds(60), () -> h.consumer.insertedIds().contains("st-after"));
      assertThat(streamedTransactions("o_stream")).isPositive();
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      int after = Harness.indexOf(got, "st-after");
      List<ChangeEnvelope> streamedTx = got.subList(0, beginIndex(got, after));
      assertThat(streamedTx).hasSize(402);
      assertThat(streamedTx.get(0).kind()).isEqualTo(ChangeEnvelope.Kind.BEGIN);
      assertThat(streamedTx.get(401).kind()).isEqualTo(ChangeEnvelope.Kind.COMMIT);
      assertThat(streamedTx)
          .allSatisfy(e -> assertThat(e.origin()).contains(new Origin(Lsn.INVALID, "o1")));
      assertThat(got.subList(beginIndex(got, after), got.size()))
          .allSatisfy(e -> assertThat(e.origin()).isEmpty());
    } finally {
      h.close();
    }
  }

  /**
   * deliver-in-progress: the streamed transaction's STREAM_START, changes, STREAM_STOP and
   * STREAM_COMMIT all carry its origin.
   */
  @Test
  void inProgressElementsOfAStreamedTransactionCarryItsOrigin() throws Exception {
    SourceSettings s = streamed("o_inprog", StreamSettings.OriginFilter.ANY, true);
    insertManyWithOrigin("ip", 400);
    insert("ip-after");
    Harness h = Harness.start(kit.system(), s);
    try {
      Harness.await(
          "ip-after", Duration.ofSeconds(60), () -> h.consumer.insertedIds().contains("ip-after"));
      assertThat(streamedTransactions("o_inprog")).isPositive();
      List<ChangeEnvelope> got = List.copyOf(h.consumer.received);
      List<ChangeEnvelope> streamedTx =
          got.stream()
              .filter(e -> e.inProgress() || e.kind() == ChangeEnvelope.Kind.STREAM_COMMIT)
              .toList();
      assertThat(streamedTx.get(0).kind()).isEqualTo(ChangeEnvelope.Kind.STREAM_START);
      assertThat(streamedTx.get(streamedTx.size() - 1).kind())
          .isEqualTo(ChangeEnvelope.Kind.STREAM_COMMIT);
      assertThat(streamedTx.stream().filter(e -> e.kind() == ChangeEnvelope.Kind.INSERT))
          .hasSize(400);
      assertThat(streamedTx)
          .allSatisfy(e -> assertThat(e.origin()).contains(new Origin(Lsn.INVALID, "o1")));
      assertThat(got.subList(beginIndex(got, Harness.indexOf(got, "ip-after")), got.size()))
          .allSatisfy(e -> assertThat(e.origin()).isEmpty());
    } finally {
      h.close();
    }
  }

  /**
   * streaming = auto is parallel on 16: a large transaction is streamed (and still delivered whole,
   * with its origin).
   */
  @Test
  void autoStreamsALargeTransactionOn16() throws Exception {
    SourceSettings s =
        settings("o_auto", StreamSettings.OriginFilter.ANY)
            .withStreaming(StreamSettings.Streaming.AUTO);
    insertManyWithOrigin("au", 300);
    insert("au-after");
    Harness h = Harness.start(kit.system(), s);
    try {
      Harness.await(
          "au-after", Duration.ofSeconds(60), () -> h.consumer.insertedIds().contains("au-after"));
      assertThat(streamedTransactions("o_auto")).isPositive();
      assertThat(h.consumer.insertedIds()).hasSize(301);
      assertThat(beginOf(h.consumer.received, h.consumer.insertedIds().get(0)).origin())
          .contains(new Origin(Lsn.INVALID, "o1"));
    } finally {
      h.close();
    }
  }

  /** origin = none leaves a streamed transaction with an origin out entirely. */
  @Test
  void originNoneLeavesOutAStreamedTransactionWrittenWithAnOrigin() throws Exception {
    SourceSettings s = streamed("o_stream_none", StreamSettings.OriginFilter.NONE, false);
    insertManyWithOrigin("sn", 400);
    insert("sn-after");
    Harness h = Harness.start(kit.system(), s);
    try {
      Harness.await(
          "sn-after", Duration.ofSeconds(60), () -> h.consumer.insertedIds().contains("sn-after"));
      assertThat(h.consumer.insertedIds()).containsExactly("sn-after");
      assertThat(h.consumer.received).allSatisfy(e -> assertThat(e.origin()).isEmpty());
    } finally {
      h.close();
    }
  }

  /** The index of the BEGIN at or before {@code i}. */
  private static int beginIndex(List<ChangeEnvelope> got, int i) {
    while (got.get(i).kind() != ChangeEnvelope.Kind.BEGIN) {
      i--;
    }
    return i;
  }

  @Test
  void originAnyDeliversReplayedTransactionsCarryingTheirOrigin() throws Exception {
    SourceSettings s = settings("o_any", StreamSettings.OriginFilter.ANY);
    insert("any-a");
    insertWithOrigin("any-b");
    insert("any-c");
    Harness h = Harness.start(kit.system(), s);
    try {
      Harness.await(
          "three inserts", Duration.ofSeconds(30), () -> h.consumer.insertedIds().size() >= 3);
      List<ChangeEnvelope> got = h.consumer.received;
      assertThat(h.consumer.insertedIds()).containsExactly("any-a", "any-b", "any-c");
      assertThat(originOfInsert(got, "any-b")).contains(new Origin(ORIGIN_LSN, "o1"));
      assertThat(beginOf(got, "any-b").origin()).contains(new Origin(ORIGIN_LSN, "o1"));
      assertThat(beginOf(got, "any-c").origin()).isEmpty();
      assertThat(commitOf(got, "any-b").origin()).contains(new Origin(ORIGIN_LSN, "o1"));
      assertThat(originOfInsert(got, "any-a")).isEmpty();
      assertThat(originOfInsert(got, "any-c")).isEmpty();
      assertThat(commitOf(got, "any-c").origin()).isEmpty();
    } finally {
      h.close();
    }
  }

  @Test
  void originNoneLeavesOutTransactionsWrittenWithAnOrigin() throws Exception {
    SourceSettings s = settings("o_none", StreamSettings.OriginFilter.NONE);
    insert("none-a");
    insertWithOrigin("none-b");
    insert("none-c");
    Harness h = Harness.start(kit.system(), s);
    try {
      Harness.await(
          "none-c", Duration.ofSeconds(30), () -> h.consumer.insertedIds().contains("none-c"));
      assertThat(h.consumer.insertedIds()).containsExactly("none-a", "none-c");
      assertThat(h.consumer.received).allSatisfy(e -> assertThat(e.origin()).isEmpty());
    } finally {
      h.close();
    }
  }

  /**
   * A transaction with an origin, acknowledged; then one without, not acknowledged: after a restart
   * the second comes again and the first does not; and once everything is acknowledged a restart
   * delivers only what is new.
   */
  @Test
  void acknowledgedOriginTransactionsAreNeitherLostNorRepeatedAcrossRestarts() throws Exception {
    SourceSettings s = settings("o_ack", StreamSettings.OriginFilter.ANY);
    insertWithOrigin("ack-1");
    insert("ack-2");
    Harness.Consumer first = new Harness.Consumer();
    // Acknowledge only the origin transaction's commit.
    first.autoAck = e -> e.isCommit() && e.origin().isPresent();
    Harness h = Harness.start(kit.system(), s, first);
    try {
      Harness.await("ack-2", Duration.ofSeconds(30), () -> first.insertedIds().contains("ack-2"));
      assertThat(first.insertedIds()).containsExactly("ack-1", "ack-2");
      Harness.await(
          "the slot to confirm the origin transaction",
          Duration.ofSeconds(30),
          () -> confirmed("o_ack").compareTo(commitOf(first.received, "ack-1").commitLsn()) > 0);
    } finally {
      h.close();
    }

    insertWithOrigin("ack-3");
    Harness h2 = Harness.start(kit.system(), s);
    try {
      h2.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      Harness.await(
          "ack-3", Duration.ofSeconds(30), () -> h2.consumer.insertedIds().contains("ack-3"));
      assertThat(h2.consumer.insertedIds()).containsExactly("ack-2", "ack-3");
      Lsn end = commitOf(h2.consumer.received, "ack-3").commitLsn();
      Harness.await(
          "the slot to confirm everything",
          Duration.ofSeconds(30),
          () -> confirmed("o_ack").compareTo(end) > 0);
    } finally {
      h2.close();
    }

    insert("ack-4");
    Harness h3 = Harness.start(kit.system(), s);
    try {
      Harness.await(
          "ack-4", Duration.ofSeconds(30), () -> h3.consumer.insertedIds().contains("ack-4"));
      assertThat(h3.consumer.insertedIds()).containsExactly("ack-4");
    } finally {
      h3.close();
    }
  }

  private static Lsn confirmed(String slot) {
    return Lsn.parse(
        PG.server()
            .queryString(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                    + slot
                    + "'"));
  }

  @Test
  void originNoneOnPostgres15FailsNamingPostgres16() throws Exception {
    try (PostgresServer pg15 = PostgresServer.builder().version(15).start()) {
      pg15.execute("CREATE TABLE o15 (id int PRIMARY KEY)");
      pg15.execute("CREATE PUBLICATION o15_pub FOR TABLE o15");
      pg15.execute("SELECT pg_create_logical_replication_slot('o15_slot', 'pgoutput')");
      SourceSettings s = Harness.settings(pg15, "o15_slot", "o15_pub");
      BinaryValuesIT.assertFailsOnceNaming(
          s.withStream(s.stream().withOrigin(StreamSettings.OriginFilter.NONE)), "origin", "16");
    }
  }
}
