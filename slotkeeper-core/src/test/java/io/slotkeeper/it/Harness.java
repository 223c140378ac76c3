package io.slotkeeper.it;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.WriteLoad;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/** Test support: runs a source against a test server and records what it delivers. */
final class Harness implements AutoCloseable {

  /** A consumer that records every envelope, can stall, and acknowledges only when told to. */
  static final class Consumer {
    final List<ChangeEnvelope> received = new AppendOnlyList<>();
    private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    volatile Predicate<ChangeEnvelope> autoAck = e -> true;

    CompletionStage<ChangeEnvelope> pass(ChangeEnvelope e) {
      return gate.thenApply(v -> e);
    }

    /** The consumer stalls itself after taking an envelope this matches (see {@link #stall()}). */
    volatile Predicate<ChangeEnvelope> stallAfter = e -> false;

    void accept(ChangeEnvelope e) {
      received.add(e);
      if (autoAck.test(e)) {
        e.committableOffset().commit();
      }
      if (stallAfter.test(e)) {
        stall();
      }
    }

    /** Stops pulling: nothing further is taken from the source until {@link #resume()}. */
    synchronized void stall() {
      if (gate.isDone()) {
        gate = new CompletableFuture<>();
      }
    }

    synchronized void resume() {
      gate.complete(null);
    }

    /** Ids (first column text) of inserted rows in delivery order. */
    List<String> insertedIds(String table) {
      List<String> ids = new ArrayList<>();
      for (ChangeEnvelope e : received) {
        if (e.message() instanceof Insert i && i.relation().name().equals(table)) {
          ids.add(i.newTuple().get(0).text());
        }
      }
      return ids;
    }

    /** Ids (first column text) of inserted rows of every table, in delivery order. */
    List<String> insertedIds() {
      List<String> ids = new ArrayList<>();
      for (ChangeEnvelope e : received) {
        if (e.message() instanceof Insert i) {
          ids.add(i.newTuple().get(0).text());
        }
      }
      return ids;
    }

    List<ChangeEnvelope> commits() {
      return received.stream().filter(ChangeEnvelope::isCommit).toList();
    }
  }

  final Control control;
  final CompletionStage<Done> done;
  final Consumer consumer;

  private Harness(Control control, CompletionStage<Done> done, Consumer consumer) {
    this.control = control;
    this.done = done;
    this.consumer = consumer;
  }

  /**
   * Index of the insert of {@code id}, or of the first RESYNC_REQUIRED element when {@code id} is
   * null; -1: none.
   */
  static int indexOf(List<ChangeEnvelope> got, String id) {
    for (int i = 0; i < got.size(); i++) {
      ChangeEnvelope e = got.get(i);
      if (id == null
          ? e.kind() == ChangeEnvelope.Kind.RESYNC_REQUIRED
          : e.message() instanceof Insert ins && id.equals(ins.newTuple().get(0).text())) {
        return i;
      }
    }
    return -1;
  }

  /** As the run's {@link TestRole}: the superuser, or the least-privileged replication role. */
  static SourceSettings settings(PostgresServer pg, String slot, String... publications) {
    TestRole role = TestRole.on(pg);
    return SourceSettings.create(com.typesafe.config.ConfigFactory.empty())
        .withUrl(pg.jdbcUrl())
        .withUser(role.user())
        .withPassword(role.password())
        .withSlotName(slot)
        .withPublications(publications)
        .withRestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);
  }

  static Harness start(ActorSystem<?> system, SourceSettings settings) {
    return start(system, settings, new Consumer());
  }

  /** With a consumer set up before the first envelope can reach it. */
  static Harness start(ActorSystem<?> system, SourceSettings settings, Consumer consumer) {
    Pair<Control, CompletionStage<Done>> run =
        ReplicationSource.create(settings)
            .mapAsync(1, consumer::pass)
            .toMat(Sink.foreach(consumer::accept), Keep.both())
            .run(system);
    return new Harness(run.first(), run.second(), consumer);
  }

  SourceStatus awaitLevel(StatusLevel level, Duration timeout) throws Exception {
    return control
        .waitUntil(level, timeout)
        .toCompletableFuture()
        .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
  }

  static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Waits until every row the load committed has been delivered. */
  void awaitAllDelivered(WriteLoad load, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    java.util.Set<String> missing = new java.util.HashSet<>(load.committed());
    int seen = 0;
    while (true) {
      List<ChangeEnvelope> got = consumer.received;
      int size = got.size();
      for (int i = seen; i < size; i++) {
        if (got.get(i).message() instanceof Insert ins) {
          missing.remove(ins.newTuple().get(0).text());
        }
      }
      seen = size;
      if (missing.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after "
                + timeout
                + " waiting for all "
                + load.committed().size()
                + " committed rows to be delivered: "
                + missing.size()
                + " missing, "
                + size
                + " envelopes received");
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() throws Exception {
    control.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
