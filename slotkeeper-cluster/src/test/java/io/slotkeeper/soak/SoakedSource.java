package io.slotkeeper.soak;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.CommittableOffset;
import io.slotkeeper.Lsn;
import io.slotkeeper.postgres.PostgresServer;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The soak's checking for one source that runs elsewhere (a sharded source in slotkeeper-cluster):
 * each run of the source's flow is an incarnation with its own {@link SoakConsumer}; at the end the
 * oracle slot (test_decoding, created before any write) says what the server committed, and the
 * {@link Checker} compares: nothing lost, in order, only units above the slot's confirmed position
 * at an incarnation's start come again, and the polled confirmed position never passes an
 * unacknowledged unit. Lives in this package because the checker's classes are package-private;
 * public so the cluster's tests can use it.
 */
public final class SoakedSource implements AutoCloseable {
  private final PostgresServer pg;
  private final String database;
  private final String slot;
  private final String oracleSlot;
  private final AckLog acks = new AckLog();
  private final Random random;
  private final List<Life> lives = new ArrayList<>();
  private final ConfirmedFlushPoller poller;

  private record Life(int number, String node, Lsn startConfirmed, SoakConsumer consumer) {}

  /**
   * Creates the oracle slot {@code oracleSlot} in {@code database} now: create it before the writes
   * start, and after the source's own slot.
   */
  public SoakedSource(
      PostgresServer pg, String database, String slot, String oracleSlot, long seed) {
    this.pg = pg;
    this.database = database;
    this.slot = slot;
    this.oracleSlot = oracleSlot;
    this.random = new Random(seed);
    pg.execute(
        database,
        "SELECT pg_create_logical_replication_slot('" + oracleSlot + "', 'test_decoding')");
    this.poller = new ConfirmedFlushPoller(pg, slot);
  }

  /**
   * The flow of a new incarnation that runs on {@code node}; the slot's confirmed position is read
   * now, before the run connects. The consumer acknowledges by itself (batching now and then, as
   * the soak's does), so the flow emits no offsets.
   */
  public Flow<ChangeEnvelope, CommittableOffset, NotUsed> newIncarnation(String node) {
    Lsn start = SlotState.confirmed(pg, slot);
    SoakConsumer consumer;
    synchronized (lives) {
      consumer = new SoakConsumer(lives.size() + 1, acks, true, new Random(random.nextLong()));
      lives.add(new Life(lives.size() + 1, node, start, consumer));
    }
    return Flow.of(ChangeEnvelope.class)
        .mapAsync(1, consumer::pass)
        .<CommittableOffset>mapConcat(
            e -> {
              consumer.accept(e);
              return List.of();
            })
        // A batch still held back is acknowledged when the run's stream completes (drained), in
        // the stream, so before the run's source shuts down: an acknowledgement sent after that (a
        // watchTermination callback runs on another thread, later) would be recorded as given yet
        // miss the final status update.
        .concat(
            Source.lazySource(
                () -> {
                  consumer.flushBatch();
                  return Source.<CommittableOffset>empty();
                }))
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /** Incarnations so far. */
  public int incarnations() {
    synchronized (lives) {
      return lives.size();
    }
  }

  /** Whether the units delivered over all incarnations include the oracle's last one. */
  public boolean deliveredUpTo(Lsn position) {
    synchronized (lives) {
      for (Life l : lives) {
        for (Unit u : l.consumer().delivered()) {
          if (!u.position().isBefore(position)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The position of the oracle's last unit (what the server committed last); INVALID if none. */
  public Lsn lastCommitted() throws SQLException {
    List<Unit> oracle = readOracle();
    return oracle.isEmpty() ? Lsn.INVALID : oracle.get(oracle.size() - 1).position();
  }

  /** The result of every check; {@link Result#failures()} is empty when all hold. */
  public record Result(
      int units,
      int incarnations,
      long redelivered,
      long lost,
      List<String> failures,
      String report) {}

  /**
   * Runs the checks (after the writes stopped and everything was delivered). Besides the soak's,
   * one for moves that were not crashes: a run that followed a run on a node not in {@code
   * crashedNodes} (a drained hand-over: rebalance, leaving node, restart) gets again only what that
   * run had not acknowledged; after a crash, anything the dead node had not had confirmed may come
   * again, which the soak's checks cover.
   */
  public Result check(java.util.Set<String> crashedNodes) throws SQLException {
    List<Unit> oracle = readOracle();
    Checker checker = new Checker(oracle);
    List<Checker.Life> checked = new ArrayList<>();
    List<String> anomalies = new ArrayList<>();
    int n;
    synchronized (lives) {
      n = lives.size();
      for (Life l : lives) {
        anomalies.addAll(l.consumer().anomalies());
        List<Unit> got = l.consumer().delivered();
        // A run that never streamed (it waited for a busy slot, or was moved at once) has nothing
        // to check and must not hide its predecessor's unacknowledged units from its successor.
        if (!got.isEmpty()) {
          checked.add(new Checker.Life(l.number(), l.startConfirmed(), got));
        }
      }
    }
    checker.checkDeliveries(checked, acks);
    List<String> handOverFailures = new ArrayList<>();
    synchronized (lives) {
      Life previous = null;
      for (Life l : lives) {
        if (l.consumer().delivered().isEmpty()) {
          continue;
        }
        if (previous != null && !crashedNodes.contains(previous.node())) {
          java.util.Set<Lsn> before = new java.util.HashSet<>();
          previous.consumer().delivered().forEach(u -> before.add(u.position()));
          for (Unit u : l.consumer().delivered()) {
            // Only what the previous run's source took counts: an acknowledgement that arrived
            // after that run's shutdown began fails its commit() stage and comes again, as
            // promised (and a later run acknowledging it again says nothing about this one).
            if (before.contains(u.position()) && previous.consumer().took(u.position())) {
              handOverFailures.add(
                  "hand-over: run "
                      + l.number()
                      + " on "
                      + l.node()
                      + " got again "
                      + u.describe()
                      + ", which run "
                      + previous.number()
                      + " on "
                      + previous.node()
                      + " had acknowledged (taken by its source) before it handed over");
            }
          }
        }
        previous = l;
      }
    }
    checker.checkConfirmed(poller.polls(), acks);
    checker.anomalies(anomalies);
    List<String> failures = new ArrayList<>(checker.failures);
    failures.addAll(handOverFailures);
    String report = checker.failures.isEmpty() ? "" : checker.report();
    if (!handOverFailures.isEmpty()) {
      report +=
          (report.isEmpty() ? "" : "\n")
              + handOverFailures.size()
              + " acknowledged units delivered again after a drained hand-over, first: "
              + handOverFailures.get(0);
    }
    return new Result(
        oracle.size(),
        n,
        checker.redelivered,
        checker.lost,
        failures,
        failures.isEmpty() ? "ok" : report);
  }

  /** {@link Oracle#read}, in this source's database (a logical slot is read in its own). */
  private List<Unit> readOracle() throws SQLException {
    return Oracle.read(pg, database, oracleSlot, false);
  }

  @Override
  public void close() throws InterruptedException {
    poller.close();
  }
}
