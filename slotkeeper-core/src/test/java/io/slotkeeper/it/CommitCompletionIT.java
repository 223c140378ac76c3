package io.slotkeeper.it;

import static io.slotkeeper.it.SlotQueries.confirmedFlush;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What {@code CommittableOffset.commit()}'s stage promises: once it completes, the source's
 * confirmed position covers the offset (with everything before it acknowledged); once the source is
 * gone, an acknowledgement it never took fails instead of hanging, and the slot stays before it.
 */
class CommitCompletionIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static Lsn end(ChangeEnvelope commit) {
    return ((Commit) commit.message()).endLsn();
  }

  @Test
  void theStageCompletesWhenTheLedgerHasTheAcknowledgementAndFailsOnceTheSourceIsGone()
      throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE cc (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION cc_pub FOR TABLE cc");
    pg.execute("SELECT pg_create_logical_replication_slot('cc_slot', 'pgoutput')");

    Harness h = Harness.start(kit.system(), Harness.settings(pg, "cc_slot", "cc_pub"));
    h.consumer.autoAck = e -> false;
    h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
    for (int i = 1; i <= 4; i++) {
      pg.execute("INSERT INTO cc VALUES (" + i + ")");
    }
    Harness.await(
        "four transactions", Duration.ofSeconds(30), () -> h.consumer.commits().size() == 4);
    ChangeEnvelope third = h.consumer.commits().get(2);
    ChangeEnvelope fourth = h.consumer.commits().get(3);

    // Acknowledging the third acknowledges the first two too; the stage says the ledger has it.
    Done taken = third.committableOffset().commit().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(taken).isEqualTo(Done.getInstance());
    assertThat(h.control.progress().confirmedLsn()).isEqualTo(end(third));
    Harness.await(
        "the slot at the third commit's end",
        Duration.ofSeconds(10),
        () -> confirmedFlush(pg, "cc_slot").equals(end(third)));

    h.close();
    CompletableFuture<Done> late = fourth.committableOffset().commit().toCompletableFuture();
    Throwable failure = null;
    try {
      late.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      failure = e.getCause();
    }
    assertThat(failure)
        .as("an acknowledgement the stopped source never took")
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cc_slot");
    assertThat(confirmedFlush(pg, "cc_slot")).isEqualTo(end(third));
  }
}
