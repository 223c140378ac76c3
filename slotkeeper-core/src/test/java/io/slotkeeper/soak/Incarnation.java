package io.slotkeeper.soak;

import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * One life of the consumer process: its own actor system, one materialized source and its consumer.
 * A crash terminates the actor system without any shutdown of the source; the caller cuts the
 * network path first so that nothing of the dying process reaches the server afterwards.
 */
final class Incarnation {
  final int number;

  /**
   * The slot's confirmed_flush_lsn read just before this incarnation started (no walsender then).
   */
  final Lsn startConfirmed;

  final SoakConsumer consumer;
  private final ActorSystem<Void> system;
  private final Control control;
  private final CompletionStage<Done> done;
  private volatile long reconnects;

  private Incarnation(
      int number,
      Lsn startConfirmed,
      SoakConsumer consumer,
      ActorSystem<Void> system,
      Control control,
      CompletionStage<Done> done) {
    this.number = number;
    this.startConfirmed = startConfirmed;
    this.consumer = consumer;
    this.system = system;
    this.control = control;
    this.done = done;
  }

  static Incarnation start(
      int number, Lsn startConfirmed, SourceSettings settings, SoakConsumer consumer) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "soak-" + number);
    Pair<Control, CompletionStage<Done>> run =
        ReplicationSource.create(settings)
            .mapAsync(1, consumer::pass)
            .toMat(Sink.foreach(consumer::accept), Keep.both())
            .run(system);
    return new Incarnation(number, startConfirmed, consumer, system, run.first(), run.second());
  }

  /** Reconnects within this life, as the engine counted them when it ended. */
  long reconnects() {
    return reconnects;
  }

  Control control() {
    return control;
  }

  /** Kills the process's engine: no drain, no final status update (the path is already cut). */
  void crash() throws Exception {
    reconnects = control.progress().reconnects();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The orderly end of the run: stop, let acknowledgements through, final status update. */
  void drainAndShutdown(Duration timeout) throws Exception {
    try {
      control.stop().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      done.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      control.shutdown().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      reconnects = control.progress().reconnects();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }
}
