package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.connection.EmptyReads;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TcpProxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16: a quiet stream waits for data instead of polling for it, and everything that must keep
 * working while it waits still does, each fault caused for real while nothing is written: the
 * walsender terminated, several wal_sender_timeouts of silence, the path cut and black-holed.
 * wal_sender_timeout is 3 s, so a keepalive goes out every second and the liveness timeout is 3 s.
 */
class QuietStreamIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().setting("wal_sender_timeout", "3s").build();

  /**
   * The engine's own count of reads that found nothing ({@link EmptyReads}, a test hook) over six
   * quiet seconds. Waiting for data, each read is caused by something the server sent: about one
   * keepalive reply a second, each read up to one empty read after it. Polling with the 1–10 ms
   * back-off made about a hundred a second.
   */
  @Test
  void aQuietStreamDoesNotPoll() throws Exception {
    PostgresServer pg = PG.server();
    FaultFixtures.create(pg, "qspin", 1);
    try (Harness h = Harness.start(kit.system(), Harness.settings(pg, "qspin_slot", "qspin_pub"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      insertAndAwait(pg, h, "qspin_t1", "first");
      Thread.sleep(1000);
      long before = EmptyReads.of("qspin_slot");
      int seconds = 6;
      Thread.sleep(seconds * 1000L);
      long empty = EmptyReads.of("qspin_slot") - before;
      System.out.println("empty reads in " + seconds + " quiet seconds: " + empty);
      assertThat(empty)
          .as("reads that found nothing in %d quiet seconds (keepalive every second)", seconds)
          .isLessThanOrEqualTo(3L * seconds);
      assertThat(h.control.progress().reconnects()).isZero();
      insertAndAwait(pg, h, "qspin_t1", "after");
    }
  }

  /** Four wal_sender_timeouts without a write: the keepalives keep the same walsender alive. */
  @Test
  void keepalivesKeepAQuietSlotAlive() throws Exception {
    PostgresServer pg = PG.server();
    FaultFixtures.create(pg, "qkeep", 1);
    try (Harness h = Harness.start(kit.system(), Harness.settings(pg, "qkeep_slot", "qkeep_pub"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      int pid = pg.waitForActiveWalsender("qkeep_slot", Duration.ofSeconds(10));
      Thread.sleep(12_000);
      assertThat(pg.waitForActiveWalsender("qkeep_slot", Duration.ofSeconds(1)))
          .as("the walsender that was streaming 12 s ago")
          .isEqualTo(pid);
      assertThat(h.control.progress().reconnects()).isZero();
      assertThat(h.control.status().level()).isEqualTo(StatusLevel.ACTIVE);
      insertAndAwait(pg, h, "qkeep_t1", "after-quiet");
    }
  }

  /** A walsender terminated while the stream waits is noticed at once and the source reconnects. */
  @Test
  void aWalsenderTerminatedWhileQuietIsNoticed() throws Exception {
    PostgresServer pg = PG.server();
    FaultFixtures.create(pg, "qterm", 1);
    try (Harness h = Harness.start(kit.system(), Harness.settings(pg, "qterm_slot", "qterm_pub"))) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      for (int round = 0; round < 3; round++) {
        Thread.sleep(1500);
        int pid = pg.waitForActiveWalsender("qterm_slot", Duration.ofSeconds(10));
        long reconnects = h.control.progress().reconnects();
        assertThat(pg.terminateWalsender("qterm_slot")).isEqualTo(pid);
        // Well inside the liveness timeout and the next keepalive's write failing would take:
        // the terminated walsender's error (or its closed socket) wakes the waiting stream.
        Harness.await(
            "the terminated walsender to be noticed",
            Duration.ofSeconds(10),
            () -> h.control.progress().reconnects() > reconnects);
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        insertAndAwait(pg, h, "qterm_t1", "after-kill-" + round);
      }
    }
  }

  /** The path cut, then black-holed, while nothing is written: the liveness rules still hold. */
  @Test
  void aPathCutOrBlackHoledWhileQuietIsNoticed() throws Exception {
    PostgresServer pg = PG.server();
    FaultFixtures.create(pg, "qnet", 1);
    try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
      SourceSettings settings =
          Harness.settings(pg, "qnet_slot", "qnet_pub")
              .withUrl("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/postgres")
              .withConnectTimeout(Duration.ofSeconds(2));
      try (Harness h = Harness.start(kit.system(), settings)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        Thread.sleep(2000);
        long reconnects = h.control.progress().reconnects();
        proxy.cutAll();
        Harness.await(
            "the cut to be noticed",
            Duration.ofSeconds(10),
            () -> h.control.progress().reconnects() > reconnects);
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        insertAndAwait(pg, h, "qnet_t1", "after-cut");

        Thread.sleep(2000);
        long beforeHole = h.control.progress().reconnects();
        proxy.blackhole(true);
        Harness.await(
            "the black hole to be noticed",
            Duration.ofSeconds(15),
            () -> h.control.progress().reconnects() > beforeHole);
        proxy.blackhole(false);
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        insertAndAwait(pg, h, "qnet_t1", "after-hole");
      }
    }
  }

  private static void insertAndAwait(PostgresServer pg, Harness h, String table, String id)
      throws InterruptedException {
    pg.execute("INSERT INTO " + table + " (id) VALUES ('" + id + "')");
    Harness.await(
        "row " + id + " to arrive",
        Duration.ofSeconds(30),
        () -> h.consumer.insertedIds(table).contains(id));
  }
}
