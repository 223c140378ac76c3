package io.slotkeeper.soak;

import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One soak run: set up tables, publication, the engine's slot and the oracle slot; run the workload
 * and the faults; let the last consumer catch up; then check everything against the oracle. Throws
 * an AssertionError naming the seed when any check fails.
 */
final class SoakRun {
  static final String SLOT = "soak_slot";
  static final String ORACLE_SLOT = "soak_oracle";
  static final String PUBLICATION = "soak_pub";
  private static final Logger LOG = LoggerFactory.getLogger(SoakRun.class);

  private final PostgresServer pg;
  private final SoakConfig config;

  SoakRun(PostgresServer pg, SoakConfig config) {
    this.pg = pg;
    this.config = config;
  }

  /**
   * The server a soak needs: the seed's major version, a short wal_sender_timeout, small decoding
   * memory.
   */
  /** Distinctive, so that {@link SecretWatch} finds it wherever it leaks. */
  static final String PASSWORD = "Soak-Pw-7Qx2-Wombat-3391";

  static PostgresExtension extension(SoakConfig config) {
    System.out.println("soak: " + config);
    return PostgresExtension.builder()
        .version(config.pgVersion())
        .superuserPassword(PASSWORD)
        .setting("wal_sender_timeout", FaultInjector.WAL_SENDER_TIMEOUT.toMillis() + "ms")
        .setting("logical_decoding_work_mem", "64kB")
        .setting("max_prepared_transactions", "10")
        .build();
  }

  SoakSummary runAndCheck() throws Exception {
    long started = System.nanoTime();
    say("starting: " + config);
    Workload.createTables(pg);
    pg.execute(
        "CREATE PUBLICATION " + PUBLICATION + " FOR TABLE " + String.join(", ", Workload.TABLES));
    // Both slots before any workload, one right after the other: the oracle sees what the engine's
    // slot sees.
    pg.execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
    Oracle.createSlot(pg, ORACLE_SLOT);

    AckLog acks = new AckLog();
    Workload workload = new Workload(pg, config, 2, 25);
    ConsumerLives lives;
    FaultInjector faults;
    List<Unit> oracle;
    List<ConfirmedFlushPoller.Poll> polls;
    List<String> lateFailures = new ArrayList<>();
    List<String> secretHits;
    try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
      ConfirmedFlushPoller poller = new ConfirmedFlushPoller(pg, SLOT);
      SourceSettings settings =
          SourceSettings.create(com.typesafe.config.ConfigFactory.empty())
              .withUrl("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/postgres")
              .withUser(pg.superuser())
              .withPassword(pg.superuserPassword())
              .withSlotName(SLOT)
              .withPublications(PUBLICATION)
              .withProtoVersion(config.protoVersion())
              .withStreaming(config.streaming())
              .withTwoPhase(config.twoPhase())
              .withRestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);
      settings =
          settings.withStream(settings.stream().withDeliverInProgress(config.deliverInProgress()));
      lives = new ConsumerLives(pg, proxy, settings, config, acks);
      ConsumerLives watched = lives;
      SecretWatch secrets =
          new SecretWatch(
              pg.superuserPassword(),
              () -> {
                try {
                  return watched.current().control();
                } catch (RuntimeException notStartedYet) {
                  return null;
                }
              },
              settings);
      faults =
          new FaultInjector(
              pg, proxy, lives, SLOT, PUBLICATION, new FaultSchedule(config.random("faults")));
      try {
        lives.startFirst();
        workload.start();
        faults.runUntil(started + config.runTime().toNanos(), this::say);
        workload.close();
        oracle = Oracle.read(pg, ORACLE_SLOT, config.messagesArrive());
        say(
            "workload done; the oracle holds "
                + oracle.size()
                + " units; waiting for the consumer to catch up");
        if (config.pgVersion() >= 14) {
          // Whether streaming was exercised (counted since the server's last crash restart).
          say(
              "streaming "
                  + config.streaming()
                  + ": the server streamed "
                  + pg.queryLong(
                      "SELECT coalesce(sum(stream_txns), 0) FROM pg_stat_replication_slots"
                          + " WHERE slot_name = '"
                          + SLOT
                          + "'")
                  + " transactions of the engine's slot");
        }
        if (config.twoPhase()) {
          say(
              "two-phase: the workload prepared "
                  + workload.prepared.get()
                  + " transactions"
                  + (config.deliverInProgress()
                      ? "; "
                          + SoakConsumer.STREAM_PREPARES.get()
                          + " of them arrived streamed (STREAM_PREPARE)"
                      : ""));
        }
        awaitCaughtUp(lives.current(), oracle, lateFailures);
        lives.current().drainAndShutdown(Duration.ofSeconds(30));
      } catch (Throwable t) {
        throw new AssertionError("soak run failed (" + config + "): " + t, t);
      } finally {
        workload.close();
        poller.close();
        secrets.close();
      }
      polls = poller.polls();
      secretHits = secrets.hits();
      say("secret watch: " + secrets.scanned() + " texts scanned, " + secretHits.size() + " hits");
    }

    Checker checker = new Checker(oracle);
    List<Checker.Life> views = new ArrayList<>();
    for (Incarnation life : lives.all()) {
      checker.anomalies(life.consumer.anomalies());
      views.add(new Checker.Life(life.number, life.startConfirmed, life.consumer.delivered()));
    }
    checker.checkDeliveries(views, acks);
    checker.checkConfirmed(polls, acks);
    Replica replica = buildReplica(views);
    checker.checkReplica(replica.problems(), replica.differencesFrom(pg, Workload.TABLES));
    lateFailures.forEach(checker.failures::add);
    secretHits.forEach(h -> checker.failures.add("the password appeared in " + h));

    SoakSummary summary =
        new SoakSummary(
            config,
            SoakSummary.count(oracle, "INSERT")
                + SoakSummary.count(oracle, "UPDATE")
                + SoakSummary.count(oracle, "DELETE")
                + SoakSummary.count(oracle, "TRUNCATE"),
            oracle.stream().filter(u -> u.kind() == Unit.Kind.TRANSACTION).count(),
            SoakSummary.count(oracle, "MESSAGE"),
            workload.bigTransactions.get(),
            workload.commits.get(),
            workload.rollbacks.get(),
            workload.failures.get(),
            faults.counts(),
            lives.all().size() - 1,
            lives.all().stream().mapToLong(Incarnation::reconnects).sum(),
            checker.lost,
            checker.duplicated,
            checker.redelivered,
            polls.size(),
            checker.confirmedViolations,
            checker.failures.size(),
            Duration.ofNanos(System.nanoTime() - started));
    say(summary.toString());
    if (!checker.failures.isEmpty()) {
      throw new AssertionError("soak invariant broken (" + config + "): " + checker.report());
    }
    return summary;
  }

  /**
   * Waits until the last consumer has received the oracle's last unit and the slot confirms it: a
   * stuck stream, or a slot that never catches up, is a failure too.
   */
  private void awaitCaughtUp(Incarnation life, List<Unit> oracle, List<String> failures)
      throws InterruptedException {
    if (oracle.isEmpty()) {
      return;
    }
    Lsn last = oracle.get(oracle.size() - 1).position();
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (true) {
      Unit got = life.consumer.lastDelivered();
      boolean received = got != null && !got.position().isBefore(last);
      if (received) {
        life.consumer.flushBatch();
      }
      boolean confirmed = !SlotState.confirmed(pg, SLOT).isBefore(last);
      if (received && confirmed) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        failures.add(
            "catch-up: 3 minutes after the workload ended, the last consumer had received up to "
                + (got == null ? "nothing" : got.position())
                + " and the slot confirmed "
                + SlotState.confirmed(pg, SLOT)
                + "; the server's last unit ends at "
                + last);
        return;
      }
      Thread.sleep(100);
    }
  }

  /**
   * Applies what was delivered, life after life, the way a consumer that stores its position with
   * its data would: a unit at or below the highest position already applied is a replay and
   * skipped.
   */
  private static Replica buildReplica(List<Checker.Life> lives) {
    Replica replica = new Replica();
    Lsn applied = Lsn.INVALID;
    for (Checker.Life life : lives) {
      for (Unit u : life.delivered()) {
        if (u.position().isAfter(applied)) {
          replica.apply(u);
          applied = u.position();
        }
      }
    }
    return replica;
  }

  private void say(String line) {
    LOG.info("[soak seed {}] {}", config.seed(), line);
    System.out.println("[soak seed " + config.seed() + "] " + line);
  }
}
