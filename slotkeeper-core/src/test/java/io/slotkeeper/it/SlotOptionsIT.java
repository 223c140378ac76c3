package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 4, test 5 and the creation options: temporary, failover, drop on stop, publication
 * creation.
 */
class SlotOptionsIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static long slotCount(PostgresServer pg, String slot) {
    return pg.queryLong(
        "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
  }

  @Test
  void temporarySlotLivesWithItsConnectionAndAnnouncesTheGapAfterAReconnect() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE tmp_t (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION tmp_pub FOR TABLE tmp_t");
    try (Harness h =
        Harness.start(
            kit.system(), Harness.settings(pg, "tmp_slot", "tmp_pub").withTemporarySlot(true))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      assertThat(
              pg.queryString(
                  "SELECT temporary FROM pg_replication_slots WHERE slot_name = 'tmp_slot'"))
          .isEqualTo("t");
      pg.execute("INSERT INTO tmp_t VALUES ('one')");
      Harness.await(
          "the first row", Duration.ofSeconds(10), () -> h.consumer.insertedIds().contains("one"));
      assertThat(h.consumer.received).noneMatch(e -> e.kind() == Kind.RESYNC_REQUIRED);

      pg.terminateWalsender("tmp_slot");
      Harness.await(
          "the resync",
          Duration.ofSeconds(30),
          () -> h.consumer.received.stream().anyMatch(e -> e.kind() == Kind.RESYNC_REQUIRED));
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute("INSERT INTO tmp_t VALUES ('two')");
      Harness.await(
          "a row through the new temporary slot",
          Duration.ofSeconds(10),
          () -> h.consumer.insertedIds().contains("two"));
    }
    Harness.await(
        "the temporary slot to go with its connection",
        Duration.ofSeconds(10),
        () -> slotCount(pg, "tmp_slot") == 0);
  }

  @Test
  void dropOnStopAndPublicationCreation() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE made_t (id text PRIMARY KEY)");
    pg.execute("CREATE TABLE not_in_it (id text PRIMARY KEY)");
    try (Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(pg, "drop_slot", "made_pub")
                .withCreateSlotIfMissing(true)
                .withDropSlotOnStop(true)
                .withCreatePublicationIfMissing(true, List.of("public.made_t")))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      assertThat(
              pg.queryColumn(
                  "SELECT tablename FROM pg_publication_tables WHERE pubname = 'made_pub'"))
          .containsExactly("made_t");
      pg.execute("INSERT INTO not_in_it VALUES ('x')");
      pg.execute("INSERT INTO made_t VALUES ('y')");
      Harness.await(
          "the published row",
          Duration.ofSeconds(10),
          () -> h.consumer.insertedIds().contains("y"));
      assertThat(h.consumer.insertedIds()).containsExactly("y");
      assertThat(slotCount(pg, "drop_slot")).isEqualTo(1);
    }
    assertThat(slotCount(pg, "drop_slot")).as("dropped on stop").isZero();
  }

  @Test
  void failoverSlotOnSeventeen() throws Exception {
    PostgresServer pg = PG.server();
    if (pg.version() < 17) {
      return;
    }
    pg.execute("CREATE TABLE fo_t (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION fo_pub FOR TABLE fo_t");
    try (Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(pg, "fo_slot", "fo_pub")
                .withCreateSlotIfMissing(true)
                .withFailoverSlot(true))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      assertThat(
              pg.queryString(
                  "SELECT failover FROM pg_replication_slots WHERE slot_name = 'fo_slot'"))
          .isEqualTo("t");
    }
  }

  @Test
  void failoverSlotBefore17IsAClearError() throws Exception {
    try (PostgresServer pg16 = PostgresServer.builder().version(16).start()) {
      pg16.execute("CREATE TABLE fo_t (id text PRIMARY KEY)");
      pg16.execute("CREATE PUBLICATION fo_pub FOR TABLE fo_t");
      Harness h =
          Harness.start(
              kit.system(),
              Harness.settings(pg16, "fo_slot", "fo_pub")
                  .withCreateSlotIfMissing(true)
                  .withFailoverSlot(true));
      try {
        h.control
            .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(20))
            .toCompletableFuture()
            .get(25, TimeUnit.SECONDS);
        throw new AssertionError("expected failure");
      } catch (ExecutionException e) {
        assertThat(e.getCause())
            .isInstanceOf(SourceFailedException.class)
            .hasMessageContaining("failover slots need PostgreSQL 17");
      } finally {
        h.close();
      }
    }
  }
}
