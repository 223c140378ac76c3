package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.HeldTransaction;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.postgres.StopMode;
import io.slotkeeper.testkit.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyDual;

/**
 * `slotkeeper stream` says on stderr, at default verbosity and without a terminal, what it waits
 * for: one line when a wait starts or changes and one when it ends, never one per retry or heal.
 * Its own server: one test stops it.
 */
class CliWaitsIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static Map<String, String> env() {
    return Map.of("PGPASSWORD", PG.server().superuserPassword());
  }

  private static String[] args(String... more) {
    PostgresServer pg = PG.server();
    return Stream.concat(
            Stream.of(more), Stream.of("--url", pg.jdbcUrl(), "--user", pg.superuser()))
        .toArray(String[]::new);
  }

  @Test
  void aBlockedCreationNamesItsBlockerWithinOneHealIntervalAndSaysWhenItFinished()
      throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE w (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION w_pub FOR TABLE w");
    Path conf = Files.createTempFile("waits", ".conf");
    Files.writeString(conf, "slotkeeper.source.slot.creation.heal-interval = 1s\n");
    try (HeldTransaction held = pg.holdOpenTransaction()) {
      CliRun.Background b =
          new CliRun.Background(
              env(),
              args(
                  "stream",
                  "--config",
                  conf.toString(),
                  "--slot",
                  "w_slot",
                  "--publication",
                  "w_pub",
                  "--create-slot"));
      try {
        // Creation is blocked once our walsender waits on the held transaction's xid lock.
        await(
            "the blocked creation",
            () ->
                pg.queryLong(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid'"
                            + " AND NOT granted AND transactionid::text::bigint = "
                            + (held.xid() & 0xFFFFFFFFL))
                    > 0,
            b,
            30);
        long blockedAt = System.nanoTime();
        // One heal interval (1 s), plus the program's 200 ms tick and some scheduling slack.
        await("a line naming the blocker", () -> b.err().contains("PID " + held.pid()), b, 3);
        assertThat(b.err()).contains("waiting: creating replication slot w_slot");
        long remaining =
            TimeUnit.SECONDS.toMillis(6)
                - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - blockedAt);
        Thread.sleep(Math.max(0, remaining));
        held.commit();
        await(
            "the end of the wait",
            () -> b.err().contains("slot creation finished after waiting"),
            b,
            30);
        await(
            "the slot notice",
            () -> b.err().contains("created replication slot w_slot (pgoutput)"),
            b,
            30);
        List<String> lines = b.err().lines().toList();
        assertThat(lines).as(b.err()).hasSizeLessThanOrEqualTo(5);
        assertThat(lines.stream().filter(l -> l.contains("PID " + held.pid())))
            .as(b.err())
            .hasSize(1);
        b.cli.requestStop("test");
        assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
      } finally {
        stop(b);
      }
    } finally {
      Files.deleteIfExists(conf);
    }
  }

  @Test
  void aSlotHeldByAnotherConsumerIsNamedOnceAndItsReleaseIsSaid() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE o (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION o_pub FOR TABLE o");
    assertThat(CliRun.run(env(), args("slot", "create", "o_slot")).exitCode).isZero();
    AtomicBoolean release = new AtomicBoolean();
    CompletableFuture<Void> holder =
        CompletableFuture.runAsync(() -> hold(pg, "o_slot", "o_pub", release));
    int holderPid = pg.waitForActiveWalsender("o_slot", Duration.ofSeconds(30));
    CliRun.Background b =
        new CliRun.Background(env(), args("stream", "--slot", "o_slot", "--publication", "o_pub"));
    try {
      await("a line naming the holder", () -> b.err().contains("PID " + holderPid), b, 30);
      assertThat(b.err()).contains("other-consumer");
      // Several retries (the back-off starts at 200 ms) while the slot stays held.
      Thread.sleep(5000);
      release.set(true);
      holder.get(30, TimeUnit.SECONDS);
      await("the end of the wait", () -> b.err().contains("streaming after waiting"), b, 30);
      pg.execute("INSERT INTO o VALUES (1)");
      await("the row", () -> b.out.toString(StandardCharsets.UTF_8).contains("\"1\""), b, 30);
      assertThat(b.err().lines().filter(l -> l.contains("PID " + holderPid)))
          .as(b.err())
          .hasSize(1);
      assertThat(b.err().lines()).as(b.err()).hasSizeLessThanOrEqualTo(3);
      b.cli.requestStop("test");
      assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
    } finally {
      release.set(true);
      stop(b);
    }
  }

  @Test
  void aStoppedServerIsSaidOnceWithTheNextRetryAndItsReturnToo() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE s (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION s_pub FOR TABLE s");
    assertThat(CliRun.run(env(), args("slot", "create", "s_slot")).exitCode).isZero();
    CliRun.Background b =
        new CliRun.Background(env(), args("stream", "--slot", "s_slot", "--publication", "s_pub"));
    try {
      pg.waitForActiveWalsender("s_slot", Duration.ofSeconds(30));
      Thread.sleep(500); // the stream is ACTIVE once the walsender streams
      pg.stop(StopMode.FAST);
      try {
        await("a line with the next retry", () -> b.err().contains("reconnecting in"), b, 10);
        // Several retries (200 ms, 400 ms, 800 ms, ...) against a server that is down.
        Thread.sleep(4000);
      } finally {
        pg.start();
      }
      await("the return", () -> b.err().contains("stream active again after"), b, 30);
      pg.execute("INSERT INTO s VALUES (1)");
      await("the row", () -> b.out.toString(StandardCharsets.UTF_8).contains("\"1\""), b, 30);
      List<String> waits = b.err().lines().filter(l -> l.contains("reconnecting in")).toList();
      // One line per distinct cause (the connection ended, then refused while down), not per retry.
      assertThat(waits).as(b.err()).isNotEmpty().hasSizeLessThanOrEqualTo(3);
      b.cli.requestStop("test");
      assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
    } finally {
      stop(b);
    }
  }

  /** Another consumer on the slot, with its own application name, until {@code release}. */
  private static void hold(
      PostgresServer pg, String slot, String publication, AtomicBoolean release) {
    Properties props = pg.connectionProperties();
    PGProperty.APPLICATION_NAME.set(props, "other-consumer");
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), props)) {
      CopyDual copy =
          (CopyDual)
              c.unwrap(PGConnection.class)
                  .getCopyAPI()
                  .copyIn(
                      "START_REPLICATION SLOT "
                          + slot
                          + " LOGICAL 0/0 (proto_version '1', publication_names '"
                          + publication
                          + "')");
      while (!release.get()) {
        if (copy.readFromCopy(false) == null) {
          Thread.sleep(20);
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void stop(CliRun.Background b) throws Exception {
    if (!b.exit.isDone()) {
      b.cli.requestStop("test");
      b.exit.get(30, TimeUnit.SECONDS);
    }
  }

  private static void await(
      String what, BooleanSupplier condition, CliRun.Background b, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (b.exit.isDone() || System.nanoTime() > deadline) {
        throw new AssertionError(
            "gave up after " + seconds + " s waiting for " + what + "; stderr: " + b.err());
      }
      Thread.sleep(100);
    }
  }
}
