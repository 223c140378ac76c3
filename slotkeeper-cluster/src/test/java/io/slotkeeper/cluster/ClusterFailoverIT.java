package io.slotkeeper.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.WriteLoad;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6, tests 1, 2 and 4: a three-node cluster streams one slot through the singleton while a
 * writer commits continuously; the hosting node leaves, or dies, and the source moves without
 * losing a change. Status is asked from a node that does not host the singleton.
 */
class ClusterFailoverIT {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          // A walsender whose client vanished without closing gives the slot back within this.
          .setting("wal_sender_timeout", "5s")
          .build();

  private static final Duration LONG = Duration.ofSeconds(60);

  static SourceSettings sourceSettings(PostgresServer pg, String slot, String publication) {
    return SourceSettings.create(com.typesafe.config.ConfigFactory.empty())
        .withUrl(pg.jdbcUrl())
        .withUser(pg.superuser())
        .withPassword(pg.superuserPassword())
        .withSlotName(slot)
        .withPublications(publication)
        .withRestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);
  }

  static void createFixture(PostgresServer pg, String name) {
    pg.execute("CREATE TABLE " + name + " (id text PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION " + name + "_pub FOR TABLE " + name);
    pg.execute("SELECT pg_create_logical_replication_slot('" + name + "_slot', 'pgoutput')");
  }

  /** Three nodes, each running its part of the singleton with a recorder labelled n1, n2, n3. */
  private static final class Scenario implements AutoCloseable {
    final ClusterNodes nodes = new ClusterNodes();
    final Recorder recorder = new Recorder();
    final List<ActorSystem<Void>> systems;
    final ClusterSourceHandle[] handles = new ClusterSourceHandle[3];
    final Map<String, String> labels = new HashMap<>();

    Scenario(PostgresServer pg, String name, String firstNodeConfig) throws Exception {
      systems = nodes.formCluster(3, firstNodeConfig);
      SourceSettings settings = sourceSettings(pg, name + "_slot", name + "_pub");
      for (int i = 0; i < 3; i++) {
        String label = "n" + (i + 1);
        labels.put(ClusterNodes.address(systems.get(i)).toString(), label);
        // Safe on every node: the same name is the same singleton.
        handles[i] =
            ClusterSource.start(
                systems.get(i),
                settings,
                recorder.factoryFor(label),
                ClusterSourceSettings.create(systems.get(i))
                    .withRestartBackoff(Duration.ofMillis(200), Duration.ofSeconds(2), 0.2));
      }
    }

    /** Waits (asking from n3) until the source is ACTIVE on the node labelled {@code label}. */
    ClusterSourceStatus awaitActiveOn(String label, int askFrom) throws Exception {
      long deadline = System.nanoTime() + LONG.toNanos();
      while (true) {
        ClusterSourceStatus s =
            handles[askFrom]
                .waitUntil(StatusLevel.ACTIVE, LONG)
                .toCompletableFuture()
                .get(LONG.toSeconds() + 5, TimeUnit.SECONDS);
        if (label.equals(labels.get(s.node()))) {
          return s;
        }
        assertThat(System.nanoTime())
            .as("ACTIVE on %s in time; last seen %s", label, s)
            .isLessThan(deadline);
        // Still the old node (its last moments): ask again shortly.
        Thread.sleep(100);
      }
    }

    @Override
    public void close() throws Exception {
      nodes.close();
    }
  }

  @Test
  void theSingletonMovesWhenItsNodeLeavesAndNothingAcknowledgedComesAgain() throws Exception {
    PostgresServer pg = PG.server();
    createFixture(pg, "leave");
    try (Scenario sc = new Scenario(pg, "leave", "")) {
      ClusterSourceStatus first = sc.awaitActiveOn("n1", 2);
      assertThat(first.slotName()).isEqualTo("leave_slot");
      try (WriteLoad writer = WriteLoad.start(pg, List.of("leave"), 3, 10)) {
        ClusterNodes.await("n1 to stream rows", LONG, () -> sc.recorder.idsBy("n1").size() > 200);
        Thread.sleep(2000);

        ActorSystem<Void> n1 = sc.systems.get(0);
        long leftAt = System.nanoTime();
        Cluster.get(n1).manager().tell(Leave.create(ClusterNodes.address(n1)));
        // Leaving runs coordinated shutdown: hand-over, then the node's actor system ends.
        n1.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        ClusterSourceStatus moved = sc.awaitActiveOn("n2", 2);
        System.out.printf(
            "[leave] leave -> ACTIVE on n2: %d ms%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - leftAt));
        assertThat(moved.level()).isEqualTo(StatusLevel.ACTIVE);

        int before = sc.recorder.idsBy("n2").size();
        ClusterNodes.await(
            "n2 to stream rows", LONG, () -> sc.recorder.idsBy("n2").size() > before + 100);
        writer.close();
        awaitAllDelivered(sc.recorder, writer);
        checkMove(sc.recorder, writer, "n1", "n2", null);
      }
    }
  }

  @Test
  void theSingletonMovesWhenItsNodeDiesAndOnlyUnconfirmedRowsComeAgain() throws Exception {
    PostgresServer pg = PG.server();
    createFixture(pg, "crash");
    // n1 dies: its actor system ends without leaving the cluster (no coordinated shutdown, no
    // hand-over); the other two notice, the Split Brain Resolver downs it, and n2 takes over.
    try (Scenario sc =
        new Scenario(
            pg, "crash", "pekko.coordinated-shutdown.run-by-actor-system-terminate = off")) {
      sc.awaitActiveOn("n1", 2);
      Lsn slotAtStart = slotPositionOnceFree(pg, "crash_slot", false);
      try (WriteLoad writer = WriteLoad.start(pg, List.of("crash"), 3, 10)) {
        ClusterNodes.await("n1 to stream rows", LONG, () -> sc.recorder.idsBy("n1").size() > 200);
        // Long enough for keepalives to confirm part of what n1 acknowledged, so that both kinds
        // of row exist at the crash: confirmed (must not come again) and not yet confirmed.
        Thread.sleep(4000);

        ActorSystem<Void> n1 = sc.systems.get(0);
        Instant crashedAt = Instant.now();
        n1.terminate();
        n1.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        // Where the new node will start: the slot as the dead node left it, read while no
        // walsender holds it (only a walsender moves confirmed_flush_lsn).
        Lsn slotAtTakeover = slotPositionOnceFree(pg, "crash_slot", true);
        assertThat(slotAtTakeover)
            .as("n1 confirmed something before it died")
            .isGreaterThan(slotAtStart);

        ClusterSourceStatus moved = sc.awaitActiveOn("n2", 2);
        long crashToActive = Duration.between(crashedAt, moved.since()).toMillis();
        System.out.printf(
            "[crash] crash -> ACTIVE on n2: %d ms (slot left at %s)%n",
            crashToActive, slotAtTakeover);
        assertThat(moved.since()).isAfter(crashedAt);

        int before = sc.recorder.idsBy("n2").size();
        ClusterNodes.await(
            "n2 to stream rows", LONG, () -> sc.recorder.idsBy("n2").size() > before + 100);
        writer.close();
        awaitAllDelivered(sc.recorder, writer);
        checkMove(sc.recorder, writer, "n1", "n2", slotAtTakeover);
      }
    }
  }

  @Test
  void aNodeThatDoesNotHostTheSingletonSeesItsLiveStatus() throws Exception {
    PostgresServer pg = PG.server();
    createFixture(pg, "status");
    try (Scenario sc = new Scenario(pg, "status", "")) {
      sc.awaitActiveOn("n1", 0);
      // n3 does not host it: its question crosses the network to n1.
      ClusterSourceStatus s1 =
          sc.handles[2].status().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(sc.labels.get(s1.node())).isEqualTo("n1");
      assertThat(s1.level()).isEqualTo(StatusLevel.ACTIVE);
      assertThat(s1.reason()).contains("streaming from slot status_slot");
      assertThat(s1.singletonName()).isEqualTo("slotkeeper-status_slot");
      assertThat(s1.confirmedLsn().isValid()).isTrue();
      assertThat(s1.lagBytes()).isGreaterThanOrEqualTo(0);

      for (int i = 0; i < 20; i++) {
        pg.execute("INSERT INTO status VALUES ('row-" + i + "')");
      }
      ClusterNodes.await(
          "the acknowledged LSN seen from n3 to move past " + s1.confirmedLsn(),
          LONG,
          () -> {
            try {
              ClusterSourceStatus s =
                  sc.handles[2].status().toCompletableFuture().get(10, TimeUnit.SECONDS);
              return s.confirmedLsn().isAfter(s1.confirmedLsn())
                  && s.acknowledgedTransactions() >= 20;
            } catch (Exception e) {
              throw new AssertionError(e);
            }
          });
      ClusterSourceStatus s2 =
          sc.handles[2].status().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(s2.level()).isEqualTo(StatusLevel.ACTIVE);
      assertThat(s2.deliveredEnvelopes()).isGreaterThanOrEqualTo(60);
      assertThat(sc.recorder.idsBy("n1")).hasSize(20);
      // The server agrees: the slot gets confirmed as far as the status said (at the next status
      // update).
      ClusterNodes.await(
          "the server's slot to reach " + s2.confirmedLsn(),
          Duration.ofSeconds(20),
          () ->
              !Lsn.parse(
                      pg.queryString(
                          "SELECT confirmed_flush_lsn::text FROM pg_replication_slots"
                              + " WHERE slot_name = 'status_slot'"))
                  .isBefore(s2.confirmedLsn()));
      System.out.println("[status] from n3: " + s2);

      // Starting it again on a node is harmless: the same name is the same singleton.
      ClusterSourceHandle again =
          ClusterSource.start(
              sc.systems.get(2),
              sourceSettings(pg, "status_slot", "status_pub"),
              sc.recorder.factoryFor("n3-again"),
              ClusterSourceSettings.create(sc.systems.get(2)));
      assertThat(again.singletonName()).isEqualTo(sc.handles[2].singletonName());
      ClusterSourceStatus s3 = again.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(sc.labels.get(s3.node())).isEqualTo("n1");
      assertThat(s3.level()).isEqualTo(StatusLevel.ACTIVE);

      // A source that needs a person, hosted on n1: a user on n3 gets its failure in fields, the
      // kind and the fix apart, not just words.
      ClusterSourceHandle[] broken = new ClusterSourceHandle[3];
      for (int i = 0; i < 3; i++) {
        broken[i] =
            ClusterSource.start(
                sc.systems.get(i),
                sourceSettings(pg, "broken_slot", "no_such_pub"),
                sc.recorder.factoryFor("broken"),
                ClusterSourceSettings.create(sc.systems.get(i)).withSingletonName("broken"));
      }
      Throwable waited =
          catchThrowable(
              () ->
                  broken[2]
                      .waitUntil(StatusLevel.ACTIVE, LONG)
                      .toCompletableFuture()
                      .get(LONG.toSeconds() + 5, TimeUnit.SECONDS));
      assertThat(waited).isInstanceOf(ExecutionException.class);
      assertThat(waited.getCause()).isInstanceOf(SourceFailedException.class);
      SourceFailedException failure = (SourceFailedException) waited.getCause();
      System.out.println("[status] the broken source, from n3: " + failure);
      assertThat(failure.kind()).isEqualTo(FailureKind.MISSING_OBJECT);
      assertThat(failure.problem()).contains("broken").contains("no_such_pub");
      assertThat(failure.remediation()).contains("CREATE PUBLICATION \"no_such_pub\"");
      assertThat(failure.getMessage()).contains("Fix: create it");
      ClusterSourceStatus failedStatus =
          broken[2].status().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(sc.labels.get(failedStatus.node())).isEqualTo("n1");
      assertThat(failedStatus.level()).isEqualTo(StatusLevel.FAILED);
      SourceFailedException error = failedStatus.error().orElseThrow();
      assertThat(error.kind()).isEqualTo(FailureKind.MISSING_OBJECT);
      assertThat(error.problem()).contains("no_such_pub").doesNotContain("Fix:");
      assertThat(error.remediation()).contains("CREATE PUBLICATION \"no_such_pub\"");
      assertThat(failedStatus.waiting()).isEmpty();
    }
  }

  // ------------------------------------------------------------------ checks

  /** The slot's confirmed_flush_lsn, once no walsender holds it if {@code free}. */
  private static Lsn slotPositionOnceFree(PostgresServer pg, String slot, boolean free)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      String row =
          pg.queryString(
              "SELECT CASE WHEN active AND "
                  + free
                  + " THEN '' ELSE confirmed_flush_lsn::text END"
                  + " FROM pg_replication_slots WHERE slot_name = '"
                  + slot
                  + "'");
      if (row != null && !row.isEmpty()) {
        return Lsn.parse(row);
      }
      assertThat(System.nanoTime()).as("slot %s to be free", slot).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static void awaitAllDelivered(Recorder recorder, WriteLoad writer)
      throws InterruptedException {
    ClusterNodes.await(
        "all " + writer.committed().size() + " committed rows to be delivered",
        LONG,
        () -> recorder.allIds().containsAll(writer.committed()));
  }

  /**
   * Every committed row arrived; nothing arrived that was never written; each node delivered each
   * row at most once; and a row that arrived on both nodes is one the old node delivered but had
   * not had confirmed: not acknowledged at all or, when {@code slotAtTakeover} is known (a crash),
   * acknowledged after the last position the dead node got to the server.
   */
  private static void checkMove(
      Recorder recorder, WriteLoad writer, String oldNode, String newNode, Lsn slotAtTakeover) {
    Set<String> written = new HashSet<>(writer.committed());
    written.addAll(writer.uncertain());
    assertThat(written).containsAll(recorder.allIds());
    assertThat(recorder.allIds()).containsAll(writer.committed());

    List<String> oldIds = recorder.idsBy(oldNode);
    List<String> newIds = recorder.idsBy(newNode);
    assertThat(new HashSet<>(oldIds)).as("rows %s delivered twice", oldNode).hasSize(oldIds.size());
    assertThat(new HashSet<>(newIds)).as("rows %s delivered twice", newNode).hasSize(newIds.size());

    Set<String> ackedByOld = recorder.acked(oldNode);
    Map<String, Lsn> commitOf = new HashMap<>();
    recorder.delivered.forEach(d -> commitOf.put(d.id(), d.commitLsn()));
    Set<String> again = new HashSet<>(oldIds);
    again.retainAll(new HashSet<>(newIds));
    int ackedButUnconfirmed = 0;
    for (String id : again) {
      if (ackedByOld.contains(id)) {
        assertThat(slotAtTakeover)
            .as("row %s was acknowledged by %s but delivered again by %s", id, oldNode, newNode)
            .isNotNull();
        assertThat(commitOf.get(id).isBefore(slotAtTakeover))
            .as(
                "row %s (commit %s) was acknowledged and confirmed (slot at %s), yet delivered again",
                id, commitOf.get(id), slotAtTakeover)
            .isFalse();
        ackedButUnconfirmed++;
      }
    }
    if (slotAtTakeover != null) {
      for (String id : newIds) {
        assertThat(commitOf.get(id).isBefore(slotAtTakeover))
            .as("row %s was below the slot's position", id)
            .isFalse();
      }
    }
    System.out.printf(
        "[%s->%s] committed %d, delivered by %s %d (acked %d), by %s %d; delivered again %d"
            + " (acknowledged but not yet confirmed to the server: %d)%n",
        oldNode,
        newNode,
        writer.committed().size(),
        oldNode,
        oldIds.size(),
        ackedByOld.size(),
        newNode,
        newIds.size(),
        again.size(),
        ackedButUnconfirmed);
  }
}
