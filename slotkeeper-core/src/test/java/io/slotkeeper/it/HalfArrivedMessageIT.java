package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TcpProxy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, item 12: the path dies while a message is half-way across. pgjdbc's non-blocking read
 * only checks that a message has started to arrive and then reads the rest blocking, so a wide row
 * cut off part-way held the connection actor (and with it the keepalive and the liveness check) for
 * the whole socket timeout. The source must notice within about the liveness timeout, well below
 * the socket timeout, and still deliver every row exactly once after the path heals.
 */
class HalfArrivedMessageIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().setting("wal_sender_timeout", "3s").build();

  private static final Duration LIVENESS = Duration.ofSeconds(3);
  private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(120);

  /** The liveness timeout, plus room for the reconnect to register on a slow machine. */
  private static final Duration DETECTION_BOUND = LIVENESS.plusSeconds(4);

  @Test
  void aPathThatDiesMidMessageIsNoticedWithinTheLivenessTimeout() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE wide_t (id text PRIMARY KEY, payload text)");
    pg.execute("CREATE PUBLICATION wide_pub FOR TABLE wide_t");
    pg.execute("SELECT pg_create_logical_replication_slot('wide_slot', 'pgoutput')");
    try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
      SourceSettings settings =
          Harness.settings(pg, "wide_slot", "wide_pub")
              .withUrl("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/postgres")
              .withConnectTimeout(Duration.ofSeconds(2))
              .withSocketTimeout(SOCKET_TIMEOUT)
              .withLivenessTimeout(LIVENESS);
      try (Harness h = Harness.start(kit.system(), settings)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        pg.execute("INSERT INTO wide_t VALUES ('narrow-before', 'x')");
        Harness.await(
            "a narrow row",
            Duration.ofSeconds(20),
            () -> h.consumer.insertedIds().contains("narrow-before"));

        long before = h.control.progress().reconnects();
        // About 6.4 MB of incompressible text per row: each Insert is one CopyData message far
        // larger than the 1 MB the proxy lets through before the path goes silent.
        proxy.blackholeAfter(1_000_000);
        pg.execute(
            "INSERT INTO wide_t SELECT 'wide-' || i,"
                + " (SELECT string_agg(md5(random()::text || i || g), '') FROM generate_series(1, 200000) g)"
                + " FROM generate_series(1, 3) i");
        // The clock starts when the path dies, part-way through the first wide row.
        Harness.await(
            "the proxy to have passed its allowance", Duration.ofSeconds(60), proxy::isBlackholed);
        long died = System.nanoTime();
        Harness.await(
            "the path that died mid-message to be noticed",
            DETECTION_BOUND.plusSeconds(10),
            () -> h.control.progress().reconnects() > before);
        Duration detection = Duration.ofNanos(System.nanoTime() - died);
        System.out.println(
            "half-arrived message: dead path noticed after " + detection.toMillis() + " ms");
        assertThat(detection)
            .as(
                "detected within a bound derived from the liveness timeout %s (socket timeout %s)",
                LIVENESS, SOCKET_TIMEOUT)
            .isLessThan(DETECTION_BOUND);
        assertThat(h.consumer.insertedIds())
            .as("no wide row got through the dead path")
            .noneMatch(id -> id.startsWith("wide-"));

        proxy.blackhole(false);
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        pg.execute("INSERT INTO wide_t VALUES ('narrow-after', 'y')");
        Harness.await(
            "every row after the path healed",
            Duration.ofSeconds(60),
            () -> h.consumer.insertedIds().contains("narrow-after"));
        assertThat(h.consumer.insertedIds())
            .as("every row exactly once, in commit order")
            .containsExactly("narrow-before", "wide-1", "wide-2", "wide-3", "narrow-after");
        assertThat(
                h.consumer.received.stream()
                    .filter(
                        e ->
                            e.message() instanceof io.slotkeeper.pgoutput.Insert i
                                && i.newTuple().get(0).text().startsWith("wide-"))
                    .map(
                        e ->
                            ((io.slotkeeper.pgoutput.Insert) e.message())
                                .newTuple()
                                .get(1)
                                .text()
                                .length())
                    .toList())
            .as("each wide row arrived whole")
            .isEqualTo(List.of(6_400_000, 6_400_000, 6_400_000));
      }
    }
  }
}
