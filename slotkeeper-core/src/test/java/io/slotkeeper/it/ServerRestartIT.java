package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

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
}
