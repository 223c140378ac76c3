package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 3, test 7: a second source on a slot in use waits, names the holder, and takes over later.
 */
class SlotBusyIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @Test
  void theSecondSourceWaitsNamingTheHolderAndTakesOverWhenTheFirstStops() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE busy_t (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION busy_pub FOR TABLE busy_t");
    pg.execute("SELECT pg_create_logical_replication_slot('busy_slot', 'pgoutput')");

    Harness first = Harness.start(kit.system(), Harness.settings(pg, "busy_slot", "busy_pub"));
    first.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
    int holder = pg.waitForActiveWalsender("busy_slot", Duration.ofSeconds(10));

    try (Harness second =
        Harness.start(kit.system(), Harness.settings(pg, "busy_slot", "busy_pub"))) {
      Harness.await(
          "the second source to name the holder",
          Duration.ofSeconds(20),
          () -> second.control.status().reason().contains("PID " + holder));
      // The same in fields, for programs (the status alternates with "connecting" between retries).
      Harness.await(
          "the holder in the status's fields",
          Duration.ofSeconds(20),
          () ->
              second
                  .control
                  .status()
                  .waiting()
                  .filter(
                      w ->
                          w instanceof Waiting.SlotBusy b
                              && b.holderPid().equals(OptionalInt.of(holder)))
                  .isPresent());
      assertThat(second.control.status().level()).isEqualTo(StatusLevel.STARTING);
      pg.execute("INSERT INTO busy_t VALUES ('while-first-holds')");
      Harness.await(
          "the first source to get the row",
          Duration.ofSeconds(10),
          () -> first.consumer.insertedIds().contains("while-first-holds"));
      Thread.sleep(1500);
      assertThat(second.control.status().level()).isEqualTo(StatusLevel.STARTING);
      assertThat(second.consumer.received).isEmpty();

      first.close();
      second.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(20));
      pg.execute("INSERT INTO busy_t VALUES ('after-takeover')");
      Harness.await(
          "the second source to stream",
          Duration.ofSeconds(10),
          () -> second.consumer.insertedIds().contains("after-takeover"));
      assertThat(second.consumer.insertedIds()).doesNotContain("while-first-holds");
    }
  }
}
