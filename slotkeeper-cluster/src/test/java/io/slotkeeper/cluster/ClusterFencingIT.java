package io.slotkeeper.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6, test 3 (the second fence: two singletons in a split brain never both stream), and how a
 * singleton reports and recovers from a failing flow or a source that needs a person.
 */
class ClusterFencingIT {
  /** Distinctive, so that a leak into a cluster status message shows (issue 18). */
  private static final String PASSWORD = "Cluster-Pw-4c1e-Otter";

  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .setting("wal_sender_timeout", "5s")
          .superuserPassword(PASSWORD)
          .build();

  private static final Duration LONG = Duration.ofSeconds(30);

  private static ClusterSourceStatus status(ClusterSourceHandle h) throws Exception {
    return h.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void twoSingletonsOnOneSlotNeverBothStream() throws Exception {
    PostgresServer pg = PG.server();
    ClusterFailoverIT.createFixture(pg, "split");
    SourceSettings settings = ClusterFailoverIT.sourceSettings(pg, "split_slot", "split_pub");
    Recorder recorder = new Recorder();
    try (ClusterNodes nodes = new ClusterNodes()) {
      // Two clusters of one node each: the two sides of a split brain that both down the other.
      // Each side's singleton is real and believes it is the only one.
      ActorSystem<Void> left = nodes.start("");
      ClusterNodes.join(left, left);
      ClusterNodes.awaitUp(left, 1);
      ActorSystem<Void> right = nodes.start("");
      ClusterNodes.join(right, right);
      ClusterNodes.awaitUp(right, 1);

      ClusterSourceHandle leftHandle =
          ClusterSource.start(
              left, settings, recorder.factoryFor("left"), ClusterSourceSettings.create(left));
      leftHandle
          .waitUntil(StatusLevel.ACTIVE, LONG)
          .toCompletableFuture()
          .get(40, TimeUnit.SECONDS);
      int holder = pg.waitForActiveWalsender("split_slot", Duration.ofSeconds(10));

      ClusterSourceHandle rightHandle =
          ClusterSource.start(
              right, settings, recorder.factoryFor("right"), ClusterSourceSettings.create(right));
      // The reason changes with each of the loser's attempts (connecting, then busy): keep the
      // answer that named the holder.
      AtomicReference<ClusterSourceStatus> seen = new AtomicReference<>();
      ClusterNodes.await(
          "the right singleton to name the slot's holder",
          LONG,
          () -> {
            try {
              seen.set(status(rightHandle));
              return seen.get().reason().contains("PID " + holder);
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
      ClusterSourceStatus loser = seen.get();
      System.out.println("[split] the loser: " + loser);
      assertThat(loser.level()).isEqualTo(StatusLevel.STARTING);
      assertThat(loser.reason()).contains("split_slot\" is active for PID " + holder);
      // The same in fields, as the source's own status has it.
      assertThat(loser.waiting())
          .hasValueSatisfying(
              w -> {
                assertThat(w).isInstanceOf(Waiting.SlotBusy.class);
                assertThat(((Waiting.SlotBusy) w).holderPid()).hasValue(holder);
              });

      for (int i = 0; i < 10; i++) {
        pg.execute("INSERT INTO split VALUES ('while-left-holds-" + i + "')");
      }
      ClusterNodes.await(
          "the left singleton to get the rows", LONG, () -> recorder.idsBy("left").size() == 10);
      // Past several of the loser's busy retries (back-off 100 ms .. 1 s).
      Thread.sleep(2500);
      assertThat(recorder.idsBy("right")).isEmpty();
      assertThat(status(rightHandle).level()).isEqualTo(StatusLevel.STARTING);
      assertThat(status(leftHandle).level()).isEqualTo(StatusLevel.ACTIVE);

      // The left side goes away for good: the right one takes the slot where left confirmed it.
      left.terminate();
      left.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      rightHandle
          .waitUntil(StatusLevel.ACTIVE, LONG)
          .toCompletableFuture()
          .get(40, TimeUnit.SECONDS);
      pg.execute("INSERT INTO split VALUES ('after-left-went')");
      ClusterNodes.await(
          "the right singleton to stream",
          LONG,
          () -> recorder.idsBy("right").contains("after-left-went"));
      assertThat(recorder.idsBy("right")).containsExactly("after-left-went");
    }
  }

  @Test
  void aFailingFlowIsReportedAndRestartedAndAFailedSourceSaysWhatToFix() throws Exception {
    PostgresServer pg = PG.server();
    ClusterFailoverIT.createFixture(pg, "flaky");
    Recorder recorder = new Recorder();
    AtomicBoolean poisoned = new AtomicBoolean();
    try (ClusterNodes nodes = new ClusterNodes()) {
      ActorSystem<Void> solo = nodes.start("");
      ClusterNodes.join(solo, solo);
      ClusterNodes.awaitUp(solo, 1);
      ClusterSourceSettings fast =
          ClusterSourceSettings.create(solo)
              .withRestartBackoff(Duration.ofMillis(300), Duration.ofSeconds(2), 0.2);

      // The flow throws on the first 'poison' row it sees (a consumer bug that goes away).
      ClusterSourceHandle flaky =
          ClusterSource.start(
              solo,
              ClusterFailoverIT.sourceSettings(pg, "flaky_slot", "flaky_pub"),
              recorder.factoryFor(
                  "solo", id -> id.equals("poison") && poisoned.compareAndSet(false, true)),
              fast);
      flaky.waitUntil(StatusLevel.ACTIVE, LONG).toCompletableFuture().get(40, TimeUnit.SECONDS);
      pg.execute("INSERT INTO flaky VALUES ('before')");
      ClusterNodes.await(
          "'before' to be acknowledged",
          LONG,
          () -> {
            try {
              return status(flaky).acknowledgedTransactions() >= 1;
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
      pg.execute("INSERT INTO flaky VALUES ('poison')");
      ClusterNodes.await(
          "the flow to fail and the singleton to report it",
          LONG,
          () -> {
            try {
              return status(flaky).lastFailure().contains("poison row poison");
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
      ClusterSourceStatus restarted =
          flaky.waitUntil(StatusLevel.ACTIVE, LONG).toCompletableFuture().get(40, TimeUnit.SECONDS);
      System.out.println("[flaky] after the restart: " + restarted);
      assertThat(restarted.restarts()).isEqualTo(1);
      assertThat(restarted.lastFailure()).contains("the consumer flow failed");
      pg.execute("INSERT INTO flaky VALUES ('after')");
      ClusterNodes.await(
          "the rows after the poison to arrive",
          LONG,
          () -> recorder.idsBy("solo").contains("after"));
      // The poison row was never acknowledged, so it comes again; 'before' was, so it does not.
      assertThat(recorder.idsBy("solo")).containsExactly("before", "poison", "after");

      // A source that cannot work without a person: the status says so, with the fix.
      ClusterSourceHandle broken =
          ClusterSource.start(
              solo,
              ClusterFailoverIT.sourceSettings(pg, "broken_slot", "no_such_pub"),
              recorder.factoryFor("broken"),
              fast.withSingletonName("broken"));
      assertThatThrownBy(
              () ->
                  broken
                      .waitUntil(StatusLevel.ACTIVE, LONG)
                      .toCompletableFuture()
                      .get(40, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(SourceFailedException.class);
      ClusterSourceStatus failed = status(broken);
      System.out.println("[broken] " + failed);
      // What crosses the cluster (the status message, as Pekko serializes it between nodes) and
      // what a person reads of it never carry the password.
      for (ClusterSourceStatus st : new ClusterSourceStatus[] {restarted, failed}) {
        byte[] wire =
            org.apache.pekko.serialization.SerializationExtension.get(solo).serialize(st).get();
        assertThat(new String(wire, java.nio.charset.StandardCharsets.ISO_8859_1))
            .doesNotContain(PASSWORD);
        assertThat(st.toString()).doesNotContain(PASSWORD);
        assertThat(st.reason()).doesNotContain(PASSWORD);
        assertThat(st.lastFailure()).doesNotContain(PASSWORD);
        st.error().ifPresent(e -> assertThat(String.valueOf(e)).doesNotContain(PASSWORD));
      }
      assertThat(failed.level()).isEqualTo(StatusLevel.FAILED);
      assertThat(failed.reason())
          .contains("no_such_pub")
          .contains("Fix:")
          .contains("trying again in 60000 ms");
      assertThat(failed.error())
          .hasValueSatisfying(
              e -> {
                assertThat(e.kind()).isEqualTo(FailureKind.MISSING_OBJECT);
                assertThat(e.remediation()).contains("CREATE PUBLICATION");
              });
    }
  }
}
