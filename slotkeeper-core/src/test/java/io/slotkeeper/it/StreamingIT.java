package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.Update;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 3, test 1: every kind of change arrives in commit order with correct LSNs and values. */
class StreamingIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @Test
  void changesOfEveryKindArriveInCommitOrder() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE items (id int PRIMARY KEY, name text, qty int)");
    pg.execute("CREATE TABLE other (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION pub_all FOR TABLE items, other");
    pg.execute("SELECT pg_create_logical_replication_slot('kinds', 'pgoutput')");

    try (Harness h = Harness.start(kit.system(), Harness.settings(pg, "kinds", "pub_all"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      // The walsender serves the run's role: in the least-privilege run, one that is no superuser.
      TestRole role = TestRole.on(pg);
      assertThat(
              pg.queryString(
                  "SELECT string_agg(r.rolname || ':' || r.rolsuper, ',') FROM pg_stat_replication s"
                      + " JOIN pg_roles r ON r.oid = s.usesysid"
                      + " JOIN pg_replication_slots sl ON sl.active_pid = s.pid"
                      + " WHERE sl.slot_name = 'kinds'"))
          .isEqualTo(role.user() + ":" + !TestRole.leastPrivilege());
      pg.execute("INSERT INTO items VALUES (1, 'apple', 3), (2, 'pear', 5)");
      pg.execute("UPDATE items SET qty = 4 WHERE id = 1");
      pg.execute("DELETE FROM items WHERE id = 2");
      pg.execute("SELECT pg_logical_emit_message(true, 'tx-prefix', 'inside')");
      pg.execute("SELECT pg_logical_emit_message(false, 'nontx', 'outside')");
      pg.execute("TRUNCATE other");
      pg.execute("INSERT INTO items VALUES (3, 'fig', 1)");

      Harness.await(
          "all seven transactions",
          Duration.ofSeconds(30),
          () -> h.consumer.commits().size() >= 6 && h.consumer.insertedIds("items").contains("3"));
      List<ChangeEnvelope> got = h.consumer.received;
      List<Kind> kinds = got.stream().map(ChangeEnvelope::kind).toList();
      assertThat(kinds)
          .containsExactly(
              Kind.BEGIN,
              Kind.INSERT,
              Kind.INSERT,
              Kind.COMMIT,
              Kind.BEGIN,
              Kind.UPDATE,
              Kind.COMMIT,
              Kind.BEGIN,
              Kind.DELETE,
              Kind.COMMIT,
              Kind.BEGIN,
              Kind.MESSAGE,
              Kind.COMMIT,
              Kind.MESSAGE,
              Kind.BEGIN,
              Kind.TRUNCATE,
              Kind.COMMIT,
              Kind.BEGIN,
              Kind.INSERT,
              Kind.COMMIT);

      Insert apple = (Insert) got.get(1).message();
      assertThat(apple.relation().qualifiedName()).isEqualTo("public.items");
      assertThat(apple.newTuple().get(1).text()).isEqualTo("apple");
      assertThat(apple.newTuple().get(2).text()).isEqualTo("3");
      Update update = (Update) got.get(5).message();
      assertThat(update.newTuple().get(2).text()).isEqualTo("4");
      Delete delete = (Delete) got.get(8).message();
      assertThat(delete.oldTuple().get(0).text()).isEqualTo("2");
      LogicalMessage inside = (LogicalMessage) got.get(11).message();
      assertThat(inside.transactional()).isTrue();
      assertThat(new String(inside.content(), StandardCharsets.UTF_8)).isEqualTo("inside");
      LogicalMessage outside = (LogicalMessage) got.get(13).message();
      assertThat(outside.transactional()).isFalse();
      assertThat(outside.prefix()).isEqualTo("nontx");
      Truncate truncate = (Truncate) got.get(15).message();
      assertThat(truncate.relations()).extracting(r -> r.name()).containsExactly("other");

      // Within a transaction every envelope carries the transaction's xid and commit LSN; LSNs
      // grow.
      Lsn previousCommit = Lsn.INVALID;
      for (ChangeEnvelope e : got) {
        if (e.kind() == Kind.COMMIT) {
          Commit c = (Commit) e.message();
          assertThat(c.commitLsn()).isEqualTo(e.commitLsn());
          assertThat(c.endLsn()).isGreaterThan(c.commitLsn());
          assertThat(e.commitLsn()).isGreaterThan(previousCommit);
          previousCommit = e.commitLsn();
        }
      }
      for (int i = 0; i < 4; i++) {
        assertThat(got.get(i).xid()).isEqualTo(got.get(0).xid());
        assertThat(got.get(i).commitLsn()).isEqualTo(got.get(3).commitLsn());
      }
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.ACTIVE);
    }
  }

  @Test
  void manySourcesRunSideBySideInOneActorSystem() throws Exception {
    PostgresServer pg = PG.server();
    java.util.List<Harness> sources = new java.util.ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        pg.execute("CREATE TABLE side_" + i + " (id text PRIMARY KEY)");
        pg.execute("CREATE PUBLICATION side_pub_" + i + " FOR TABLE side_" + i);
        pg.execute("SELECT pg_create_logical_replication_slot('side_slot_" + i + "', 'pgoutput')");
        sources.add(
            Harness.start(kit.system(), Harness.settings(pg, "side_slot_" + i, "side_pub_" + i)));
      }
      for (Harness h : sources) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      }
      for (int i = 1; i <= 3; i++) {
        pg.execute("INSERT INTO side_" + i + " VALUES ('row-of-" + i + "')");
      }
      for (int i = 1; i <= 3; i++) {
        Harness h = sources.get(i - 1);
        String expected = "row-of-" + i;
        Harness.await(
            "source " + i + " to get its row",
            Duration.ofSeconds(20),
            () -> h.consumer.insertedIds().contains(expected));
        assertThat(h.consumer.insertedIds()).containsExactly(expected);
      }
    } finally {
      for (Harness h : sources) {
        h.close();
      }
    }
  }
}
