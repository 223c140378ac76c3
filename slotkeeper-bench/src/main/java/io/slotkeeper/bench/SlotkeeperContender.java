package io.slotkeeper.bench;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Slotkeeper's {@link ReplicationSource} with default settings, consumed the way an application
 * would: a sink that looks at each envelope and acknowledges every COMMIT.
 */
final class SlotkeeperContender implements Contender {
  private final ActorSystem<?> system;
  private final boolean binary;
  private final boolean readValues;

  SlotkeeperContender(ActorSystem<?> system) {
    this(system, false, false);
  }

  /**
   * @param binary stream with {@code binary = on}
   * @param readValues print every value of every row change with {@code text()}, as the program's
   *     JSON lines do: what a consumer that uses the values pays on top of the stream
   */
  SlotkeeperContender(ActorSystem<?> system, boolean binary, boolean readValues) {
    this.system = system;
    this.binary = binary;
    this.readValues = readValues;
  }

  @Override
  public String name() {
    return binary ? "slotkeeper binary" : readValues ? "slotkeeper text" : "slotkeeper";
  }

  @Override
  public Running start(
      BenchDb db, String slot, String publication, Listener listener, boolean stallable)
      throws Exception {
    Gate gate = new Gate();
    io.slotkeeper.SourceSettings settings = db.sourceSettings(slot, publication);
    // Explicit either way: the default (auto) would pick binary for coded tables.
    settings = settings.withStream(settings.stream().withBinary(binary));
    Source<ChangeEnvelope, Control> source = ReplicationSource.create(settings);
    if (stallable) {
      // Only the stall benchmark pays for this extra stage.
      source = source.mapAsync(1, gate::pass);
    }
    Pair<Control, CompletionStage<Done>> run =
        source
            .toMat(
                Sink.foreach(
                    env -> {
                      if (readValues) {
                        readValues(env);
                      }
                      deliver(env, listener);
                    }),
                Keep.both())
            .run(system);
    Control control = run.first();
    control
        .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(60))
        .toCompletableFuture()
        .get(70, TimeUnit.SECONDS);
    CompletableFuture<Done> done = run.second().toCompletableFuture();
    return new Running() {
      @Override
      public void stall() {
        gate.stall();
      }

      @Override
      public void resume() {
        gate.resume();
      }

      @Override
      public Throwable failure() {
        return Contender.failureOf(done);
      }

      @Override
      public void close() throws Exception {
        gate.resume();
        control.shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    };
  }

  private static void deliver(ChangeEnvelope env, Listener listener) {
    switch (env.kind()) {
      case INSERT -> listener.change('I', micros(env.commitTime()));
      case UPDATE -> listener.change('U', micros(env.commitTime()));
      case DELETE -> listener.change('D', micros(env.commitTime()));
      case COMMIT -> {
        env.committableOffset().commit();
        listener.commit();
      }
      default -> {}
    }
  }

  /** Prints every value as the program's JSON lines would (the text, whatever the format). */
  private static void readValues(ChangeEnvelope env) {
    if (env.message() instanceof io.slotkeeper.pgoutput.Insert i) {
      int chars = 0;
      for (io.slotkeeper.pgoutput.ColumnValue v : i.newTuple().values()) {
        if (v.hasBytes()) {
          chars += v.text().length();
        }
      }
      if (chars < 0) {
        throw new IllegalStateException("unreachable");
      }
    }
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  /** Holds envelopes back while stalled: downstream stops pulling, so the source stops reading. */
  private static final class Gate {
    private volatile CompletableFuture<Void> open = CompletableFuture.completedFuture(null);

    CompletionStage<ChangeEnvelope> pass(ChangeEnvelope e) {
      CompletableFuture<Void> g = open;
      return g.isDone() ? CompletableFuture.completedFuture(e) : g.thenApply(v -> e);
    }

    synchronized void stall() {
      if (open.isDone()) {
        open = new CompletableFuture<>();
      }
    }

    synchronized void resume() {
      open.complete(null);
    }
  }
}
