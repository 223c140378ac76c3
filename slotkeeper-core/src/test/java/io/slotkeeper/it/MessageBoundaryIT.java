package io.slotkeeper.it;

import static io.slotkeeper.it.SlotQueries.confirmedFlush;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, item 1: a message written outside any transaction carries the END of its WAL record,
 * which is exactly where the next record starts. A transaction whose commit record comes right
 * after such a message (the message emitted non-transactionally inside it) must be delivered, and
 * acknowledging the message must not confirm the slot past that transaction.
 */
class MessageBoundaryIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @BeforeAll
  static void schema() {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE acc (id int PRIMARY KEY, note text)");
    pg.execute("CREATE PUBLICATION acc_pub FOR TABLE acc");
  }

  private static SourceSettings settings(PostgresServer pg, String slot) {
    return Harness.settings(pg, slot, "acc_pub").withKeepaliveInterval(Duration.ofMillis(300));
  }

  /** {@code BEGIN; INSERT id; SELECT pg_logical_emit_message(false, ...); COMMIT;} for each id. */
  private static void insertEachWithAStandaloneMessage(PostgresServer pg, int from, int to)
      throws Exception {
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      for (int id = from; id <= to; id++) {
        st.execute("INSERT INTO acc VALUES (" + id + ", 'row " + id + "')");
        st.execute("SELECT pg_logical_emit_message(false, 'marker', 'm" + id + "')");
        c.commit();
      }
    }
  }

  private static void assumeMessagesAreSent(PostgresServer pg) {
    assumeTrue(pg.version() >= 14, "pgoutput sends logical messages from PostgreSQL 14 on");
  }

  @Test
  void
      aTransactionCommittedRightAfterAStandaloneMessageIsDeliveredAndConfirmedOnlyOnceAcknowledged()
          throws Exception {
    PostgresServer pg = PG.server();
    assumeMessagesAreSent(pg);
    pg.execute("SELECT pg_create_logical_replication_slot('msg_boundary', 'pgoutput')");
    try (Harness h = Harness.start(kit.system(), settings(pg, "msg_boundary"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      insertEachWithAStandaloneMessage(pg, 1, 100);
      Harness.await(
          "100 rows",
          Duration.ofSeconds(30),
          () -> h.consumer.insertedIds("acc").size() >= 100 && h.consumer.commits().size() >= 100);

      List<ChangeEnvelope> got = h.consumer.received;
      assertThat(h.consumer.insertedIds("acc")).hasSize(100).doesNotHaveDuplicates();
      // Each message arrives before its transaction (it was decoded first), and that transaction's
      // commit record starts at or after the message's LSN: the message's LSN is its record's end.
      int boundaries = 0;
      LogicalMessage lastMessage = null;
      for (ChangeEnvelope e : got) {
        if (e.kind() == Kind.MESSAGE) {
          lastMessage = (LogicalMessage) e.message();
          assertThat(lastMessage.transactional()).isFalse();
          assertThat(e.lsn()).isEqualTo(lastMessage.lsn());
        } else if (e.kind() == Kind.COMMIT) {
          assertThat(lastMessage).isNotNull();
          Commit c = (Commit) e.message();
          assertThat(c.commitLsn()).isGreaterThanOrEqualTo(lastMessage.lsn());
          if (c.commitLsn().equals(lastMessage.lsn())) {
            boundaries++;
          }
        }
      }
      assertThat(boundaries)
          .as("commit records starting exactly at the message's LSN")
          .isPositive();

      Lsn lastEnd = ((Commit) h.consumer.commits().get(99).message()).endLsn();
      Harness.await(
          "the slot to reach the last commit's end",
          Duration.ofSeconds(10),
          () -> confirmedFlush(pg, "msg_boundary").compareTo(lastEnd) >= 0);
    }
  }

  @Test
  void acknowledgingOnlyTheMessageLeavesTheTransactionAfterItToComeAgain() throws Exception {
    PostgresServer pg = PG.server();
    assumeMessagesAreSent(pg);
    pg.execute("SELECT pg_create_logical_replication_slot('msg_only_ack', 'pgoutput')");

    Lsn messageLsn;
    ActorTestKit first = ActorTestKit.create("first-process");
    try (Harness h = Harness.start(first.system(), settings(pg, "msg_only_ack"))) {
      h.consumer.autoAck = e -> e.kind() == Kind.MESSAGE;
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      insertEachWithAStandaloneMessage(pg, 1001, 1001);
      Harness.await(
          "the message and the transaction",
          Duration.ofSeconds(30),
          () -> h.consumer.commits().size() == 1);
      ChangeEnvelope message = h.consumer.received.get(0);
      assertThat(message.kind()).isEqualTo(Kind.MESSAGE);
      messageLsn = message.lsn();
      Harness.await(
          "the slot to reach the acknowledged message",
          Duration.ofSeconds(10),
          () -> confirmedFlush(pg, "msg_only_ack").equals(messageLsn));
      Thread.sleep(1000);
      assertThat(confirmedFlush(pg, "msg_only_ack"))
          .as("never past the unacknowledged transaction")
          .isEqualTo(messageLsn);
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("second-process");
    try (Harness h = Harness.start(second.system(), settings(pg, "msg_only_ack"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      Harness.await(
          "the unacknowledged transaction again",
          Duration.ofSeconds(30),
          () -> h.consumer.commits().size() == 1);
      assertThat(h.consumer.insertedIds("acc")).containsExactly("1001");
      assertThat(h.consumer.received).noneMatch(e -> e.kind() == Kind.MESSAGE);
    } finally {
      second.shutdownTestKit();
    }
  }

  /**
   * A transaction written under a replication origin: pgoutput sends its Begin and an Origin
   * message in one callback, and the walsender sends 0/0 as the Begin's position when another write
   * follows ({@code WalSndPrepareWrite}, !last_write). The Begin's LSN decides nothing: the
   * transaction is delivered and confirmed at its commit's end like any other.
   */
  @Test
  void aBeginFollowedByAnOriginCarriesNoPositionAndDecidesNothing() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("SELECT pg_create_logical_replication_slot('origin_begin', 'pgoutput')");
    pg.execute("SELECT pg_replication_origin_create('upstream_a')");
    try (Harness h = Harness.start(kit.system(), settings(pg, "origin_begin"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      try (Connection c = pg.connect();
          Statement st = c.createStatement()) {
        st.execute("SELECT pg_replication_origin_session_setup('upstream_a')");
        st.execute("INSERT INTO acc VALUES (2001, 'from an origin')");
        st.execute("SELECT pg_replication_origin_session_reset()");
        st.execute("INSERT INTO acc VALUES (2002, 'local')");
      }
      Harness.await(
          "both transactions", Duration.ofSeconds(30), () -> h.consumer.commits().size() >= 2);
      List<ChangeEnvelope> begins =
          h.consumer.received.stream().filter(e -> e.kind() == Kind.BEGIN).toList();
      assertThat(begins).hasSize(2);
      assertThat(begins.get(0).lsn()).as("Begin followed by an Origin").isEqualTo(Lsn.INVALID);
      assertThat(begins.get(1).lsn())
          .as("a plain Begin: the transaction's first record")
          .isNotEqualTo(Lsn.INVALID);
      assertThat(h.consumer.insertedIds("acc")).containsExactly("2001", "2002");
      Lsn lastEnd = ((Commit) h.consumer.commits().get(1).message()).endLsn();
      Harness.await(
          "the slot to reach the last commit's end",
          Duration.ofSeconds(10),
          () -> confirmedFlush(pg, "origin_begin").compareTo(lastEnd) >= 0);
    }
  }
}
