package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.WriteLoad;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 3, test 3: the walsender is terminated every ~2 s under a continuous multi-table write
 * load.
 */
class WalsenderKillIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @Test
  void everyCommittedRowArrivesExactlyOnceWhileTheWalsenderIsKilled() throws Exception {
    PostgresServer pg = PG.server();
    List<String> tables = FaultFixtures.create(pg, "kill", 3);
    try (Harness h = Harness.start(kit.system(), Harness.settings(pg, "kill_slot", "kill_pub"))) {
      List<SourceStatus> transitions = new CopyOnWriteArrayList<>();
      h.control.subscribe(transitions::add);
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      int kills = 0;
      try (WriteLoad load = WriteLoad.start(pg, tables, 5, 5)) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
          Thread.sleep(2000);
          int pid = pg.waitForActiveWalsender("kill_slot", Duration.ofSeconds(10));
          long reconnectsBefore = h.control.progress().reconnects();
          assertThat(pg.terminateWalsender("kill_slot")).isEqualTo(pid);
          kills++;
          Harness.await(
              "the source to notice the kill",
              Duration.ofSeconds(10),
              () -> h.control.progress().reconnects() > reconnectsBefore);
          // A waiter registered now must see ACTIVE again, from the status events.
          h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(10));
        }
        load.close();
        assertThat(load.transactions()).isGreaterThan(50);
        h.awaitAllDelivered(load, Duration.ofSeconds(60));
        Checks.exactlyOnce(h.consumer.insertedIds(), load);
      }
      long activations = transitions.stream().filter(s -> s.level() == StatusLevel.ACTIVE).count();
      assertThat(activations)
          .as("ACTIVE after the start and after each of %d kills", kills)
          .isGreaterThanOrEqualTo(kills + 1);
      assertThat(h.control.progress().reconnects()).isGreaterThanOrEqualTo(kills);
    }
  }
}
