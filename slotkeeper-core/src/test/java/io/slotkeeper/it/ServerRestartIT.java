package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.postgres.StopMode;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.WriteLoad;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 3, test 4: the server is stopped (fast, then immediate) and started again under load. */
class ServerRestartIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @Test
  void fastAndImmediateStopsLoseNothingAndDuplicateNothing() throws Exception {
    PostgresServer pg = PG.server();
    List<String> tables = FaultFixtures.create(pg, "restart", 2);
    try (Harness h =
        Harness.start(kit.system(), Harness.settings(pg, "restart_slot", "restart_pub"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      try (WriteLoad load = WriteLoad.start(pg, tables, 5, 5)) {
        for (StopMode mode : List.of(StopMode.FAST, StopMode.IMMEDIATE, StopMode.FAST)) {
          Thread.sleep(2000);
          pg.stop(mode);
          Harness.await(
              "the source to leave ACTIVE after a " + mode + " stop",
              Duration.ofSeconds(20),
              () -> h.control.status().level() != StatusLevel.ACTIVE);
          Thread.sleep(1000);
          pg.start();
          h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        }
        Thread.sleep(2000);
        load.close();
        h.awaitAllDelivered(load, Duration.ofSeconds(60));
        Checks.exactlyOnce(h.consumer.insertedIds(), load);
      }
      assertThat(h.control.progress().reconnects()).isGreaterThanOrEqualTo(3);
    }
  }

  /**
   * A FAST (or smart) stop ends with the walsenders waiting until their client reports everything
   * they sent as replicated (WalSndDone: the flush position, or the write position when flush is
   * invalid). A consumer that has not acknowledged what it received must not hold the server's
   * shutdown: pg_ctl gives up after 60 s and operators escalate to IMMEDIATE. Nor may the slot be
   * confirmed past the unacknowledged transaction to let the walsender go.
   */
  @Test
  void aFastStopIsNotHeldUpByATransactionTheConsumerHasNotAcknowledged() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE held (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION held_pub FOR TABLE held");
    Harness.Consumer nothingAcked = new Harness.Consumer();
    nothingAcked.autoAck = e -> false;
    try (Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(pg, "held_slot", "held_pub").withCreateSlotIfMissing(true),
            nothingAcked)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      Lsn before = SlotQueries.confirmedFlush(pg, "held_slot");
      pg.execute("INSERT INTO held VALUES (1)");
      Harness.await("the row", Duration.ofSeconds(30), () -> h.consumer.commits().size() == 1);
      ChangeEnvelope commit = h.consumer.commits().get(0);
      // pg_ctl stop waits (60 s) for the server to end, and fails if it does not.
      pg.stop(StopMode.FAST);
      pg.start();
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      assertThat(SlotQueries.confirmedFlush(pg, "held_slot"))
          .as("the slot did not move past the unacknowledged transaction to let the server stop")
          .isEqualTo(before);
      commit.committableOffset().commit();
      Lsn end = commit.committableOffset().lsn();
      Harness.await(
          "the slot to reach the acknowledged commit",
          Duration.ofSeconds(30),
          () -> SlotQueries.confirmedFlush(pg, "held_slot").compareTo(end) >= 0);
    }
  }
}
