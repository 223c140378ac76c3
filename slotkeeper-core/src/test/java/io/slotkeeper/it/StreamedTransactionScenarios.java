package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SpoolSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, streaming of in-progress transactions: the server (with {@code
 * logical_decoding_work_mem = 64kB}) streams every transaction of more than a few rows in chunks,
 * and the consumer must still see exactly the committed rows, each transaction whole and in commit
 * order. Every test also checks that the server did stream ({@code
 * pg_stat_replication_slots.stream_txns}), so none can pass by the server not streaming at all.
 */
abstract class StreamedTransactionScenarios extends ActorSystemPerClass {

  /** A row wide enough that 150 of them pass 64kB of decoding memory. */
  static final String PAD = "repeat('x', 500)";

  abstract PostgresServer pg();

  abstract StreamSettings.Streaming mode();

  @TempDir Path spoolDir;

  private SourceSettings settings(String slot, String pub) {
    SourceSettings s = Harness.settings(pg(), slot, pub).withStreaming(mode());
    return s.withStream(
        s.stream().withSpool(new SpoolSettings(64L << 20, spoolDir.toString(), 1L << 30)));
  }

  private void table(String name) {
    pg().execute("CREATE TABLE " + name + " (id int PRIMARY KEY, pad text)");
    pg().execute("CREATE PUBLICATION " + name + "_pub FOR TABLE " + name);
    pg().execute("SELECT pg_create_logical_replication_slot('" + name + "_slot', 'pgoutput')");
  }

  private static String insert(String table, int from, int to) {
    return "INSERT INTO "
        + table
        + " SELECT g, "
        + PAD
        + " FROM generate_series("
        + from
        + ", "
        + to
        + ") g";
  }

  private static List<String> ids(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(Integer::toString).toList();
  }

  private long streamedTransactions(String slot) {
    return pg().queryLong(
            "SELECT coalesce(sum(stream_txns), 0) FROM pg_stat_replication_slots WHERE slot_name = '"
                + slot
                + "'");
  }

  private long streamedBytes(String slot) {
    return pg().queryLong(
            "SELECT coalesce(sum(stream_bytes), 0) FROM pg_stat_replication_slots WHERE slot_name = '"
                + slot
                + "'");
  }

  /**
   * Waits until the server has streamed at least {@code bytes} more than {@code before}: what was
   * just written has reached the consumer's spool, so an abort that follows acts on spooled chunks
   * (PostgreSQL 18 no longer streams a transaction it already knows to be aborted).
   */
  private void awaitStreamedBytes(String slot, long before, long bytes)
      throws InterruptedException {
    Harness.await(
        "the server to have streamed " + bytes + " more bytes of slot " + slot,
        Duration.ofSeconds(30),
        () -> streamedBytes(slot) >= before + bytes);
  }

  private void awaitStreamed(String slot, long atLeast) throws InterruptedException {
    Harness.await(
        "the server to have streamed " + atLeast + " transaction(s) of slot " + slot,
        Duration.ofSeconds(30),
        () -> streamedTransactions(slot) >= atLeast);
  }

  /** Every transaction delivered is Begin, changes of its xid, Commit; none twice. */
  private static void wholeTransactions(List<ChangeEnvelope> got) {
    Long open = null;
    Set<String> commits = new HashSet<>();
    for (ChangeEnvelope e : got) {
      if (e.kind() == ChangeEnvelope.Kind.BEGIN) {
        assertThat(open).as("Begin inside a transaction").isNull();
        open = e.xid();
      } else if (e.kind() == ChangeEnvelope.Kind.COMMIT) {
        assertThat(open).as("Commit outside a transaction").isNotNull();
        assertThat(e.xid()).isEqualTo(open);
        assertThat(commits.add(e.commitLsn().toString())).as("a commit delivered twice").isTrue();
        open = null;
      } else {
        assertThat(open).as(e.kind() + " outside a transaction").isNotNull();
        assertThat(e.xid()).as("xid of a change").isEqualTo(open);
      }
    }
  }

  @Test
  void rolledBackSubtransactionsAndAWholeAbortLeaveExactlyTheCommittedRows() throws Exception {
    table("sp");
    try (Harness h = Harness.start(kit.system(), settings("sp_slot", "sp_pub"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      try (Connection c = pg().connect();
          Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute(insert("sp", 1, 300));
        long before = streamedBytes("sp_slot");
        s.execute("SAVEPOINT a");
        s.execute(insert("sp", 1001, 1300));
        s.execute("SAVEPOINT a2");
        s.execute(insert("sp", 1501, 1600));
        s.execute("RELEASE SAVEPOINT a2");
        s.execute(insert("sp", 1701, 1800));
        // The subtransaction's rows are spooled before it rolls back.
        awaitStreamedBytes("sp_slot", before, 150_000);
        s.execute("ROLLBACK TO SAVEPOINT a");
        s.execute(insert("sp", 2001, 2300));
        s.execute("SAVEPOINT b");
        s.execute(insert("sp", 3001, 3100));
        s.execute("RELEASE SAVEPOINT b");
        s.execute("SAVEPOINT c");
        s.execute(insert("sp", 4001, 4300));
        s.execute("ROLLBACK TO SAVEPOINT c");
        c.commit();
        awaitStreamed("sp_slot", 1);
        s.execute(insert("sp", 5001, 5300));
        awaitStreamed("sp_slot", 2); // spooled before it aborts
        c.rollback();
        s.execute(insert("sp", 9999, 9999));
        c.commit();
      }
      Harness.await(
          "the marker row",
          Duration.ofSeconds(60),
          () -> h.consumer.insertedIds().contains("9999"));
      List<String> expected = new ArrayList<>();
      expected.addAll(ids(1, 300));
      expected.addAll(ids(2001, 2300));
      expected.addAll(ids(3001, 3100));
      expected.add("9999");
      assertThat(h.consumer.insertedIds("sp")).isEqualTo(expected);
      wholeTransactions(h.consumer.received);
      assertThat(h.consumer.commits()).hasSize(2);
      awaitStreamed("sp_slot", 2);
    }
  }

  /**
   * A transactional message in a subtransaction that rolls back never committed, so it must not be
   * delivered. A streamed transaction's messages carry the top-level xid (pgoutput sends the
   * subtransaction's xid only for row changes), so Stream Abort of the subtransaction does not name
   * them: the spool drops everything from the subtransaction's first row change on, which takes a
   * message after it along. A message before its first row change cannot be told from one of the
   * enclosing transaction (seen delivered: the reason the default is streaming = off, documented),
   * so this test emits none there.
   */
  @Test
  void messagesOfRolledBackSubtransactionsAreNotDelivered() throws Exception {
    table("ms");
    try (Harness h = Harness.start(kit.system(), settings("ms_slot", "ms_pub"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      try (Connection c = pg().connect();
          Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute(insert("ms", 1, 300));
        long before = streamedBytes("ms_slot");
        s.execute("SAVEPOINT a");
        s.execute(insert("ms", 1001, 1300));
        s.execute("SELECT pg_logical_emit_message(true, 'ms', 'a-after-rows')");
        awaitStreamedBytes("ms_slot", before, 150_000);
        s.execute("ROLLBACK TO SAVEPOINT a");
        s.execute("SAVEPOINT b");
        s.execute(insert("ms", 2001, 2300));
        s.execute("SELECT pg_logical_emit_message(true, 'ms', 'b-kept')");
        s.execute("RELEASE SAVEPOINT b");
        s.execute("SELECT pg_logical_emit_message(true, 'ms', 'top-kept')");
        c.commit();
        awaitStreamed("ms_slot", 1);
      }
      Harness.await(
          "the committed rows",
          Duration.ofSeconds(60),
          () -> h.consumer.insertedIds("ms").contains("2300"));
      List<String> messages = new ArrayList<>();
      for (io.slotkeeper.ChangeEnvelope e : h.consumer.received) {
        if (e.message() instanceof io.slotkeeper.pgoutput.LogicalMessage m
            && m.prefix().equals("ms")) {
          messages.add(new String(m.content(), java.nio.charset.StandardCharsets.UTF_8));
        }
      }
      assertThat(messages).containsExactly("b-kept", "top-kept");
      List<String> expected = new ArrayList<>(ids(1, 300));
      expected.addAll(ids(2001, 2300));
      assertThat(h.consumer.insertedIds("ms")).isEqualTo(expected);
    }
  }

  @Test
  void interleavedStreamedTransactionsArriveWholeInCommitOrder() throws Exception {
    table("il");
    try (Harness h = Harness.start(kit.system(), settings("il_slot", "il_pub"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      try (Connection c1 = pg().connect();
          Connection c2 = pg().connect();
          Statement s1 = c1.createStatement();
          Statement s2 = c2.createStatement()) {
        c1.setAutoCommit(false);
        c2.setAutoCommit(false);
        for (int round = 0; round < 6; round++) {
          s1.execute(insert("il", 10000 + round * 200 + 1, 10000 + round * 200 + 200));
          s2.execute(insert("il", 20000 + round * 200 + 1, 20000 + round * 200 + 200));
        }
        c2.commit(); // the second one commits first
        c1.commit();
      }
      Harness.await(
          "both transactions",
          Duration.ofSeconds(60),
          () -> h.consumer.insertedIds("il").size() >= 2400);
      List<String> expected = new ArrayList<>();
      expected.addAll(ids(20001, 21200));
      expected.addAll(ids(10001, 11200));
      assertThat(h.consumer.insertedIds("il")).isEqualTo(expected);
      wholeTransactions(h.consumer.received);
      assertThat(h.consumer.commits()).hasSize(2);
      awaitStreamed("il_slot", 2);
    }
  }

  /**
   * The walsender is terminated while a large transaction is open and some of its chunks have been
   * spooled; the next connection receives it again from its start. Every row arrives once.
   */
  @Test
  void aReconnectInTheMiddleOfAStreamedTransactionLosesAndRepeatsNothing() throws Exception {
    table("rc");
    try (Harness h = Harness.start(kit.system(), settings("rc_slot", "rc_pub"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      try (Connection c = pg().connect();
          Statement s = c.createStatement()) {
        s.execute(insert("rc", 1, 10)); // an ordinary transaction before
        c.setAutoCommit(false);
        s.execute(insert("rc", 101, 700));
        awaitStreamed("rc_slot", 1);
        long reconnects = h.control.progress().reconnects();
        pg().terminateWalsender("rc_slot");
        Harness.await(
            "the source to reconnect",
            Duration.ofSeconds(30),
            () -> h.control.progress().reconnects() > reconnects);
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        s.execute(insert("rc", 701, 1000));
        c.commit();
        s.execute(insert("rc", 9999, 9999));
        c.commit();
      }
      Harness.await(
          "the marker row",
          Duration.ofSeconds(60),
          () -> h.consumer.insertedIds().contains("9999"));
      List<String> expected = new ArrayList<>();
      expected.addAll(ids(1, 10));
      expected.addAll(ids(101, 1000));
      expected.add("9999");
      assertThat(h.consumer.insertedIds("rc")).isEqualTo(expected);
      wholeTransactions(h.consumer.received);
      try (Stream<Path> left = Files.list(spoolDir)) {
        assertThat(left.toList()).as("spool files left behind").isEmpty();
      }
    }
  }

  /** With a memory budget of 1 KiB the chunks go to spool files, which go once delivered. */
  @Test
  void aSmallMemoryBudgetSpoolsToDiskAndCleansUp() throws Exception {
    table("dk");
    SourceSettings base = settings("dk_slot", "dk_pub");
    SourceSettings s0 =
        base.withStream(base.stream().withSpool(base.stream().spool().withMemoryBudget(1024)));
    try (Harness h = Harness.start(kit.system(), s0)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      try (Connection c = pg().connect();
          Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute(insert("dk", 1, 600));
        Harness.await(
            "a spool file while the transaction is open",
            Duration.ofSeconds(30),
            () -> spoolFiles() > 0);
        assertThat(h.consumer.insertedIds("dk")).as("nothing before the commit").isEmpty();
        s.execute(insert("dk", 601, 900));
        c.commit();
      }
      Harness.await(
          "the transaction", Duration.ofSeconds(60), () -> h.consumer.insertedIds().size() >= 900);
      assertThat(h.consumer.insertedIds("dk")).isEqualTo(ids(1, 900));
      wholeTransactions(h.consumer.received);
      Harness.await("the spool file to go", Duration.ofSeconds(10), () -> spoolFiles() == 0);
    }
  }

  /**
   * A disk spool that is full makes the source wait (reason naming spool.disk-limit, still ACTIVE,
   * nothing delivered, nothing dropped); a source with room then gets every row.
   */
  @Test
  void aFullDiskSpoolWaitsNamingTheSettingAndLosesNothing() throws Exception {
    table("fu");
    SourceSettings base = settings("fu_slot", "fu_pub");
    SourceSettings tiny =
        base.withStream(
            base.stream().withSpool(base.stream().spool().withMemoryBudget(0).withDiskLimit(4096)));
    try (Connection c = pg().connect();
        Statement s = c.createStatement()) {
      try (Harness h = Harness.start(kit.system(), tiny)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        c.setAutoCommit(false);
        s.execute(insert("fu", 1, 600));
        Harness.await(
            "the reason to name spool.disk-limit",
            Duration.ofSeconds(30),
            () -> h.control.status().reason().contains("spool.disk-limit"));
        c.commit();
        // Longer than the liveness timeout (wal_sender_timeout 60 s by default gives more; the
        // point is that waiting is no dead path): still ACTIVE, still waiting, nothing delivered.
        Thread.sleep(3000);
        assertThat(h.control.status().level()).isEqualTo(StatusLevel.ACTIVE);
        assertThat(h.control.status().reason()).contains("spool.disk-limit");
        assertThat(h.consumer.insertedIds("fu")).isEmpty();
      }
      try (Harness h = Harness.start(kit.system(), base)) {
        Harness.await(
            "every row with room in the spool",
            Duration.ofSeconds(60),
            () -> h.consumer.insertedIds("fu").size() >= 600);
        assertThat(h.consumer.insertedIds("fu")).isEqualTo(ids(1, 600));
      }
    }
  }

  private long spoolFiles() {
    try (Stream<Path> files = Files.walk(spoolDir)) {
      return files.filter(Files::isRegularFile).count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
