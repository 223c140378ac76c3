package docs.javadsl;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's embedded-use example, run as written against a real server. */
class EmbeddedUseIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @Test
  void theReadmeExampleStreamsAcknowledgesAndDrains() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
    pg.execute("CREATE PUBLICATION app_pub FOR TABLE items");
    pg.execute("SELECT pg_create_logical_replication_slot('app_slot', 'pgoutput')");

    EmbeddedUse example = new EmbeddedUse();
    example.start(pg.jdbcUrl(), pg.superuser(), pg.superuserPassword());
    try {
      example
          .control
          .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(60))
          .toCompletableFuture()
          .get(61, TimeUnit.SECONDS);
      pg.execute("INSERT INTO items VALUES (1, 'apple')");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (example.stored.stream().noneMatch(ChangeEnvelope::isCommit)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      ChangeEnvelope commit =
          example.stored.stream().filter(ChangeEnvelope::isCommit).findFirst().orElseThrow();

      assertThat(example.inspectAndStop().toCompletableFuture().get(30, TimeUnit.SECONDS))
          .isEqualTo(Done.getInstance());
      assertThat(example.control.status().level()).isEqualTo(StatusLevel.STOPPED);
      // Stored, then acknowledged, then drained: the slot was confirmed past the transaction.
      Lsn confirmed =
          Lsn.parse(
              pg.queryString(
                  "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'app_slot'"));
      assertThat(confirmed).isGreaterThanOrEqualTo(((Commit) commit.message()).endLsn());
    } finally {
      example.system.terminate();
      example.system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
