package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Committer;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * drainAndShutdown with acknowledgements still in flight: the final status update must carry every
 * acknowledgement the consumer made before its stream completed.
 */
class DrainIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @Test
  void drainAndShutdownConfirmsEveryAcknowledgedTransaction() throws Exception {
    PostgresServer pg = PG.server();
    // Settings first: in the least-privilege run they create the role, and that WAL must come
    // before the slot, as the test expects nothing after the last commit.
    io.slotkeeper.SourceSettings settings =
        Harness.settings(pg, "drain_slot", "drain_pub").withKeepaliveInterval(Duration.ofHours(1));
    pg.execute("CREATE TABLE drain_t (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION drain_pub FOR TABLE drain_t");
    pg.execute("SELECT pg_create_logical_replication_slot('drain_slot', 'pgoutput')");
    for (int i = 1; i <= 20; i++) {
      pg.execute("INSERT INTO drain_t VALUES (" + i + ")");
    }
    List<ChangeEnvelope> seen = new CopyOnWriteArrayList<>();
    Pair<Control, CompletionStage<Done>> run =
        ReplicationSource.create(settings)
            // Slow, concurrent processing: several acknowledgements are always on their way.
            .mapAsync(
                4,
                e ->
                    CompletableFuture.supplyAsync(
                        () -> {
                          seen.add(e);
                          return e;
                        },
                        CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS)))
            .map(ChangeEnvelope::committableOffset)
            .toMat(Committer.sink(), Keep.both())
            .run(kit.system());
    Control control = run.first();
    control
        .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(30))
        .toCompletableFuture()
        .get(35, TimeUnit.SECONDS);
    Harness.await(
        "all 60 envelopes handed to the stream",
        Duration.ofSeconds(30),
        () -> control.progress().deliveredEnvelopes() >= 60);

    control.drainAndShutdown(run.second()).toCompletableFuture().get(30, TimeUnit.SECONDS);

    List<ChangeEnvelope> commits = seen.stream().filter(ChangeEnvelope::isCommit).toList();
    assertThat(commits).hasSize(20);
    Lsn lastEnd =
        commits.stream()
            .map(e -> ((Commit) e.message()).endLsn())
            .max(Lsn::compareTo)
            .orElseThrow();
    // The keepalive never fired (1 h), so only the final status update can have moved the slot.
    assertThat(
            Lsn.parse(
                pg.queryString(
                    "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'drain_slot'")))
        .isEqualTo(lastEnd);
  }
}
