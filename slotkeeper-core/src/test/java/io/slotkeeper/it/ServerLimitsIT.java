package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server's own limits, reached by others: every replication slot taken, every walsender taken.
 * The source keeps retrying (someone may free one) and its reason names the setting and how to free
 * one, and it becomes ACTIVE once one is free.
 */
class ServerLimitsIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .setting("max_replication_slots", "2")
          .setting("max_wal_senders", "2")
          .build();

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void everySlotInUseIsNamedWithItsSettingAndTheSourceStartsOnceOneIsFree() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE limits_slots (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION limits_slots_pub FOR TABLE limits_slots");
    // Every slot left (another test of this class may hold one) taken by someone else.
    pg.execute(
        "SELECT pg_create_physical_replication_slot('other_' || g) FROM generate_series(1, 2 -"
            + " (SELECT count(*)::int FROM pg_replication_slots)) g");
    try (Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(pg, "limits_slot", "limits_slots_pub")
                .withCreateSlotIfMissing(true))) {
      Harness.await(
          "a reason naming the setting",
          WAIT,
          () -> h.control.status().reason().contains("max_replication_slots"));
      String reason = h.control.status().reason();
      assertThat(reason).contains("pg_drop_replication_slot").contains("reconnecting in");
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.STARTING);
      pg.execute(
          "SELECT pg_drop_replication_slot(min(slot_name)) FROM pg_replication_slots"
              + " WHERE slot_name LIKE 'other_%'");
      h.awaitLevel(StatusLevel.ACTIVE, WAIT);
    } finally {
      pg.execute(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
              + " WHERE slot_name LIKE 'other_%'");
    }
  }

  @Test
  void everyWalsenderInUseIsNamedWithItsSettingAndTheSourceStartsOnceOneIsFree() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE limits_senders (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION limits_senders_pub FOR TABLE limits_senders");
    List<Connection> held = new ArrayList<>();
    try {
      held.add(pg.connectReplication());
      held.add(pg.connectReplication());
      try (Harness h =
          Harness.start(
              kit.system(),
              Harness.settings(pg, "limits_senders_slot", "limits_senders_pub")
                  .withCreateSlotIfMissing(true))) {
        Harness.await(
            "a reason naming the setting",
            WAIT,
            () -> h.control.status().reason().contains("max_wal_senders"));
        assertThat(h.control.status().reason())
            .contains("pg_stat_replication")
            .contains("reconnecting in");
        held.remove(0).close();
        h.awaitLevel(StatusLevel.ACTIVE, WAIT);
      }
    } finally {
      for (Connection c : held) {
        c.close();
      }
    }
  }
}
