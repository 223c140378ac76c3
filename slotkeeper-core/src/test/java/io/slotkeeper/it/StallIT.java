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
 * Issue 3, test 2 (seed 001): the consumer stops pulling for 20 s, ten times the server's
 * wal_sender_timeout, while writes go on. Backpressure must stop the reads but not the keepalives.
 */
class StallIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().setting("wal_sender_timeout", "2s").build();

  @Test
  void aStalledConsumerKeepsTheConnectionAndLosesNothing() throws Exception {
    PostgresServer pg = PG.server();
    List<String> tables = FaultFixtures.create(pg, "stall", 2);
    // Wide rows, so the stalled stream fills the socket buffers and the walsender really blocks.
    for (String t : tables) {
      pg.execute("ALTER TABLE " + t + " ADD COLUMN pad text DEFAULT repeat('x', 2000)");
    }
    try (Harness h = Harness.start(kit.system(), Harness.settings(pg, "stall_slot", "stall_pub"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      List<SourceStatus> transitions = new CopyOnWriteArrayList<>();
      h.control.subscribe(transitions::add);

      try (WriteLoad load = WriteLoad.start(pg, tables, 10, 2)) {
        Thread.sleep(1000);
        h.consumer.stall();
        int before = h.consumer.received.size();
        Thread.sleep(20_000);
        // Nothing got through while stalled beyond what was already in flight.
        assertThat(h.consumer.received.size()).isLessThanOrEqualTo(before + 1);
        assertThat(h.control.status().level()).isEqualTo(StatusLevel.ACTIVE);
        h.consumer.resume();
        Thread.sleep(1000);
        load.close();
        h.awaitAllDelivered(load, Duration.ofSeconds(60));
        Checks.exactlyOnce(h.consumer.insertedIds(), load);
        assertThat(load.transactions()).isGreaterThan(100);
      }
      assertThat(pg.serverLog())
          .doesNotContain("terminating walsender process due to replication timeout");
      assertThat(h.control.progress().reconnects()).isZero();
      assertThat(transitions).extracting(SourceStatus::level).containsOnly(StatusLevel.ACTIVE);
      // Commit order: the single writer's ids grow, so delivered ids must grow too.
      List<Long> numbers =
          h.consumer.insertedIds().stream()
              .map(id -> Long.parseLong(id.substring(id.indexOf(':') + 1)))
              .toList();
      assertThat(numbers).isSorted();
    }
  }
}
