package io.slotkeeper.cluster.internal;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.CommittableOffset;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import io.slotkeeper.cluster.ClusterSourceSettings;
import io.slotkeeper.cluster.ClusterSourceStatus;
import io.slotkeeper.cluster.FlowFactory;
import io.slotkeeper.javadsl.Committer;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import io.slotkeeper.javadsl.StatusSubscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster singleton that runs one replication source: replication source, the user's flow, a
 * committer. It owns one run at a time and the answer to "how is it doing", for every node.
 *
 * <p>Phases:
 *
 * <pre>
 * RUNNING ──stream ends──▶ CLOSING ──source closed──▶ WAITING ──back-off──▶ RUNNING
 *    │                        │                          │
 *    └──────── HandOver ──────┴──────────────────────────┴──▶ HANDING_OVER ──▶ stopped
 * </pre>
 *
 * <p>The hand-over is what makes a move lossless and quick: the singleton manager sends {@link
 * HandOver} and starts the singleton on the next node only when this actor has stopped, so this
 * actor stops only after the stream drained (everything delivered is acknowledged) and the source
 * sent its final status update and closed its connection. The slot is then free and confirmed
 * exactly at what was acknowledged. Should the old walsender still hold the slot, the new node's
 * source waits for it ("slot busy") instead of streaming next to it.
 */
public final class SourceSingleton extends AbstractBehavior<SourceSingleton.Command> {

  public interface Command {}

  /**
   * Commands that may come from another node through the singleton proxy; see {@link
   * ClusterSourceSerializer}.
   */
  public interface RemoteCommand extends Command {}

  /** Answer with the current status. */
  public record GetStatus(ActorRef<ClusterSourceStatus> replyTo) implements RemoteCommand {}

  /**
   * Answer once the level reaches {@code level}, or at once on FAILED; when the singleton stops
   * first (a hand-over), answer with its last status so the asker can try the next one.
   */
  public record WaitFor(StatusLevel level, ActorRef<ClusterSourceStatus> replyTo)
      implements RemoteCommand {}

  /**
   * Tell {@code replyTo} the last status (level STOPPED, with the confirmed position) when this
   * actor stops: how a sharded source's removal learns where its slot was left. Sent locally only.
   */
  public record FinalStatusTo(ActorRef<ClusterSourceStatus> replyTo) implements Command {}

  /** The singleton manager's stop message: drain, shut the source down, stop. Sent locally only. */
  public enum HandOver implements Command {
    INSTANCE
  }

  private record StatusChanged(long run, SourceStatus status) implements Command {}

  private record StreamEnded(long run, Throwable error) implements Command {}

  private record SourceClosed(long run) implements Command {}

  private record StartRun(long run) implements Command {}

  private record HandOverFinished(String how) implements Command {}

  private enum DrainTimedOut implements Command {
    INSTANCE
  }

  private enum Phase {
    RUNNING,
    CLOSING,
    WAITING,
    HANDING_OVER
  }

  private static final Logger log = LoggerFactory.getLogger(SourceSingleton.class);
  private static final String RESTART_TIMER = "restart";
  private static final String CLOSE_TIMER = "close";
  private static final String HAND_OVER_TIMER = "hand-over";

  private final TimerScheduler<Command> timers;
  private final SourceSettings sourceSettings;
  private final ClusterSourceSettings settings;
  private final FlowFactory factory;
  private final String singletonName;
  private final String node;
  private final Materializer materializer;
  private final List<WaitFor> waiters = new ArrayList<>();
  private final List<ActorRef<ClusterSourceStatus>> finalListeners = new ArrayList<>();

  private Phase phase;
  private long run;
  private Control control;
  private CompletionStage<Done> streamDone;
  private UniqueKillSwitch killSwitch;
  private DrainGate.Handle gate;
  private StatusSubscription subscription;
  private long runStartedNanos;
  private boolean runEndedInFailedSource;
  private int attempt;
  private long restarts;
  private String lastFailure = "";

  /**
   * The failure of the run that ended in a FAILED source, in fields: what the status carries, to
   * every node, while the singleton waits with level FAILED.
   */
  private SourceFailedException failedRunError;

  private StatusLevel pauseLevel = StatusLevel.STARTING;
  private String pauseReason = "";
  private Instant pauseSince = Instant.now();

  public static Behavior<Command> create(
      SourceSettings sourceSettings,
      ClusterSourceSettings settings,
      FlowFactory factory,
      String singletonName) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new SourceSingleton(
                        ctx, timers, sourceSettings, settings, factory, singletonName)));
  }

  private SourceSingleton(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      SourceSettings sourceSettings,
      ClusterSourceSettings settings,
      FlowFactory factory,
      String singletonName) {
    super(ctx);
    this.timers = timers;
    this.sourceSettings = sourceSettings;
    this.settings = settings;
    this.factory = factory;
    this.singletonName = singletonName;
    this.node = Cluster.get(ctx.getSystem()).selfMember().address().toString();
    // Streams bound to this actor: should it stop or restart without a hand-over, its stream is
    // aborted, and the aborted source stage shuts its source down (final status, connection
    // closed).
    this.materializer = Materializer.createMaterializer(ctx);
    log.info(
        "singleton {} for slot {} starting on {}",
        singletonName,
        sourceSettings.slot().name(),
        node);
    startRun();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(
            GetStatus.class,
            m -> {
              m.replyTo().tell(snapshot());
              return this;
            })
        .onMessage(WaitFor.class, this::onWaitFor)
        .onMessage(
            FinalStatusTo.class,
            m -> {
              finalListeners.add(m.replyTo());
              return this;
            })
        .onMessage(
            StatusChanged.class,
            m -> {
              if (m.run() == run) {
                settleWaiters();
              }
              return this;
            })
        .onMessage(StreamEnded.class, this::onStreamEnded)
        .onMessage(SourceClosed.class, this::onSourceClosed)
        .onMessage(
            StartRun.class,
            m -> {
              if (m.run() == run && phase == Phase.WAITING) {
                restarts++;
                startRun();
              }
              return this;
            })
        .onMessageEquals(HandOver.INSTANCE, this::onHandOver)
        .onMessageEquals(DrainTimedOut.INSTANCE, this::onDrainTimedOut)
        .onMessage(
            HandOverFinished.class,
            m -> {
              log.info(
                  "singleton {} on {} handed over ({}); slot {} confirmed at {}",
                  singletonName,
                  node,
                  m.how(),
                  sourceSettings.slot().name(),
                  control == null ? "-" : control.progress().confirmedLsn());
              return Behaviors.stopped();
            })
        .onSignal(
            PreRestart.class,
            s -> {
              cleanUp("the singleton actor restarts after an error");
              return this;
            })
        .onSignal(
            PostStop.class,
            s -> {
              cleanUp("the singleton on " + node + " stopped");
              return this;
            })
        .build();
  }

  // ------------------------------------------------------------------ runs

  private void startRun() {
    run++;
    phase = Phase.RUNNING;
    runStartedNanos = System.nanoTime();
    runEndedInFailedSource = false;
    failedRunError = null;
    control = null;
    killSwitch = null;
    Flow<ChangeEnvelope, CommittableOffset, ?> flow;
    Pair<Pair<Pair<Control, DrainGate.Handle>, UniqueKillSwitch>, CompletionStage<Done>> running;
    try {
      flow =
          Objects.requireNonNull(
              factory.create(getContext().getSystem()), "the FlowFactory returned null");
      // The committer is ours, not the user's: every offset the flow emits is acknowledged, and
      // nothing else is. The kill switch sits before it so a hand-over that runs out of time can
      // cut a stuck flow off from its acknowledgements and stop it.
      running =
          ReplicationSource.create(sourceSettings)
              .viaMat(new DrainGate(), Keep.both())
              .via(flow)
              .viaMat(KillSwitches.single(), Keep.both())
              .toMat(Committer.sink(), Keep.both())
              .run(materializer);
    } catch (Exception | LinkageError e) {
      // A factory that throws is treated like a flow that failed: reported, retried with back-off.
      log.error("singleton {}: could not build the consumer flow", singletonName, e);
      lastFailure = "could not build the consumer flow: " + describe(e);
      pause(StatusLevel.STARTING, restartDelay(), "restarting");
      return;
    }
    control = running.first().first().first();
    gate = running.first().first().second();
    killSwitch = running.first().second();
    streamDone = running.second();
    long thisRun = run;
    ActorRef<Command> self = getContext().getSelf();
    subscription = control.subscribe(s -> self.tell(new StatusChanged(thisRun, s)));
    getContext().pipeToSelf(streamDone, (done, error) -> new StreamEnded(thisRun, error));
  }

  private Behavior<Command> onStreamEnded(StreamEnded m) {
    if (m.run() != run || phase != Phase.RUNNING) {
      // A hand-over drains the stream itself; an old run's end is already handled.
      return this;
    }
    SourceStatus status = control.status();
    runEndedInFailedSource = status.level() == StatusLevel.FAILED;
    if (runEndedInFailedSource) {
      failedRunError = errorOf(status);
      lastFailure = "the replication source failed: " + status.reason();
      log.error("singleton {} on {}: {}", singletonName, node, lastFailure);
    } else if (m.error() != null) {
      lastFailure = "the consumer flow failed: " + describe(m.error());
      log.error("singleton {} on {}: the consumer flow failed", singletonName, node, m.error());
    } else {
      lastFailure = "the consumer flow completed, but a replication stream has no end";
      log.warn("singleton {} on {}: {}; restarting it", singletonName, node, lastFailure);
    }
    // The source stage stopped with the stream and shuts its source down on its own; wait for
    // that, so the next run does not find our own old connection holding the slot.
    phase = Phase.CLOSING;
    if (runEndedInFailedSource) {
      // Already what it will be once closed: a failed source must not look like it is starting.
      pauseLevel = StatusLevel.FAILED;
      pauseReason = failedPauseReason();
    } else {
      pauseLevel = StatusLevel.STARTING;
      pauseReason = "closing the run that ended: " + lastFailure;
    }
    pauseSince = Instant.now();
    closeSubscription();
    long thisRun = run;
    getContext().pipeToSelf(control.shutdown(), (done, error) -> new SourceClosed(thisRun));
    timers.startSingleTimer(CLOSE_TIMER, new SourceClosed(thisRun), settings.shutdownTimeout());
    settleWaiters();
    return this;
  }

  private Behavior<Command> onSourceClosed(SourceClosed m) {
    if (m.run() != run || phase != Phase.CLOSING) {
      return this;
    }
    timers.cancel(CLOSE_TIMER);
    if (runEndedInFailedSource) {
      // Retrying at once cannot fix an error that needs a person; retrying rarely lets the source
      // recover by itself once they have fixed it, without a redeploy.
      pause(StatusLevel.FAILED, settings.failedRetryInterval().orElse(null), failedVerb());
    } else {
      if (System.nanoTime() - runStartedNanos >= settings.restart().resetAfter().toNanos()) {
        attempt = 0;
      }
      pause(StatusLevel.STARTING, restartDelay(), "restarting");
    }
    return this;
  }

  /**
   * Between runs: report {@code level} with the last failure, and start again after {@code delay}
   * (null: never).
   */
  private void pause(StatusLevel level, Duration delay, String verb) {
    phase = Phase.WAITING;
    pauseLevel = level;
    pauseSince = Instant.now();
    pauseReason = pauseReason(verb, delay);
    if (delay != null) {
      timers.startSingleTimer(RESTART_TIMER, new StartRun(run), delay);
    }
    settleWaiters();
  }

  private String pauseReason(String verb, Duration delay) {
    return pauseReason(lastFailure, verb, delay);
  }

  private String pauseReason(String failure, String verb, Duration delay) {
    return failure
        + "; "
        + verb
        + (delay == null ? "" : " in " + delay.toMillis() + " ms")
        + " (restarts on this node so far: "
        + restarts
        + ")";
  }

  private String failedVerb() {
    return settings.failedRetryInterval().isPresent()
        ? "trying again"
        : "not retried (slotkeeper.cluster.failed-retry-interval = off)";
  }

  private String failedPauseReason() {
    return pauseReason(failedVerb(), settings.failedRetryInterval().orElse(null));
  }

  private Duration restartDelay() {
    return restartDelay(settings, attempt++, ThreadLocalRandom.current().nextDouble());
  }

  /**
   * The pause before restart number {@code attempt}: the core's back-off ({@link
   * io.slotkeeper.RestartSettings#delay}), so jitter spreads the nodes' restarts without ever
   * passing max-backoff, exactly as it spreads a source's reconnects.
   */
  static Duration restartDelay(ClusterSourceSettings settings, int attempt, double random) {
    return settings.restart().delay(attempt, random);
  }

  // ------------------------------------------------------------------ hand-over

  private Behavior<Command> onHandOver() {
    switch (phase) {
      case RUNNING:
        log.info(
            "singleton {} on {}: handing over; draining the stream (at most {})",
            singletonName,
            node,
            settings.drainTimeout());
        phase = Phase.HANDING_OVER;
        // Close the consumer side at a transaction boundary and let the flow finish and
        // acknowledge what it has; only then shut the source down: its final status update
        // confirms exactly what was acknowledged, and the slot is free for the next node.
        // (Control.drainAndShutdown would shut down as soon as the source stage completes,
        // before acknowledgements still inside the flow arrive; see DrainGate.)
        Control c = control;
        gate.drain();
        CompletionStage<Throwable> consumerDone = streamDone.handle((d, e) -> e);
        getContext()
            .pipeToSelf(
                consumerDone.thenCompose(e -> c.shutdown().thenApply(d -> e)),
                (e, never) ->
                    new HandOverFinished(
                        e == null ? "drained" : "drained; the flow ended with " + describe(e)));
        timers.startSingleTimer(HAND_OVER_TIMER, DrainTimedOut.INSTANCE, settings.drainTimeout());
        return this;
      case CLOSING:
        phase = Phase.HANDING_OVER;
        getContext()
            .pipeToSelf(control.isShutdown(), (v, e) -> new HandOverFinished("between runs"));
        timers.startSingleTimer(
            HAND_OVER_TIMER,
            new HandOverFinished(
                "between runs; the source did not confirm"
                    + " its shutdown within "
                    + settings.shutdownTimeout()),
            settings.shutdownTimeout());
        return this;
      case WAITING:
        log.info("singleton {} on {}: handing over between runs", singletonName, node);
        return Behaviors.stopped();
      default:
        return this;
    }
  }

  private Behavior<Command> onDrainTimedOut() {
    if (phase != Phase.HANDING_OVER) {
      return this;
    }
    log.warn(
        "singleton {} on {}: the stream did not drain within {}; stopping it. What it delivered but did not"
            + " acknowledge will be delivered again on the next node",
        singletonName,
        node,
        settings.drainTimeout());
    // Shut the source down first (final status update with what was acknowledged), then cut the
    // flow off: nothing it acknowledges after this could reach the server anyway.
    getContext()
        .pipeToSelf(
            control.shutdown(), (v, e) -> new HandOverFinished("drain timed out; shut down"));
    killSwitch.abort(
        new IllegalStateException(
            "hand-over: the stream did not drain within " + settings.drainTimeout()));
    timers.startSingleTimer(
        HAND_OVER_TIMER,
        new HandOverFinished(
            "drain timed out; the source did not confirm"
                + " its shutdown within "
                + settings.shutdownTimeout()),
        settings.shutdownTimeout());
    return this;
  }

  // ------------------------------------------------------------------ status

  private Behavior<Command> onWaitFor(WaitFor m) {
    ClusterSourceStatus now = snapshot();
    if (decides(m.level(), now)) {
      m.replyTo().tell(now);
    } else {
      waiters.add(m);
    }
    return this;
  }

  private void settleWaiters() {
    if (waiters.isEmpty()) {
      return;
    }
    ClusterSourceStatus now = snapshot();
    waiters.removeIf(
        w -> {
          if (decides(w.level(), now)) {
            w.replyTo().tell(now);
            return true;
          }
          return false;
        });
  }

  private static boolean decides(StatusLevel wanted, ClusterSourceStatus status) {
    return status.level().reaches(wanted) || status.level() == StatusLevel.FAILED;
  }

  private ClusterSourceStatus snapshot() {
    SourceProgress p = control == null ? SourceProgress.none() : control.progress();
    StatusLevel level;
    String reason;
    Instant since;
    SourceFailedException error;
    Waiting waiting;
    if ((phase == Phase.RUNNING || phase == Phase.HANDING_OVER) && control != null) {
      SourceStatus s = control.status();
      level = s.level();
      error = level == StatusLevel.FAILED ? errorOf(s) : null;
      waiting = s.waiting().orElse(null);
      reason = phase == Phase.HANDING_OVER ? "handing over: " + s.reason() : s.reason();
      if (phase == Phase.RUNNING && level == StatusLevel.FAILED) {
        // A FAILED source ends its run: say already what the pause after it will say, so a reader
        // woken by this FAILED sees the same reason as one who asks a moment later.
        reason =
            pauseReason(
                "the replication source failed: " + s.reason(),
                failedVerb(),
                settings.failedRetryInterval().orElse(null));
      }
      since = s.since();
    } else {
      level = pauseLevel;
      reason = pauseReason;
      since = pauseSince;
      error = pauseLevel == StatusLevel.FAILED ? failedRunError : null;
      waiting = null;
    }
    return new ClusterSourceStatus(
        singletonName,
        sourceSettings.slot().name(),
        node,
        level,
        reason,
        since,
        p.confirmedLsn(),
        p.receivedLsn(),
        ClusterSourceStatus.lag(p.receivedLsn(), p.confirmedLsn()),
        p.deliveredEnvelopes(),
        p.acknowledgedTransactions(),
        p.reconnects(),
        restarts,
        lastFailure,
        Optional.ofNullable(error),
        Optional.ofNullable(waiting));
  }

  /** A FAILED status's failure in fields; one known only by its words when the status has none. */
  private static SourceFailedException errorOf(SourceStatus failed) {
    return failed
        .error()
        .orElseGet(() -> new SourceFailedException(failed.reason(), failed.failure().orElse(null)));
  }

  // ------------------------------------------------------------------ the end

  private void cleanUp(String why) {
    closeSubscription();
    if (control != null && !control.isShutdown().toCompletableFuture().isDone()) {
      // Without a hand-over (the actor system terminating, a restart after a bug) there is no
      // drain: shut down at once so the connection closes and the slot keeps what was acknowledged.
      control.shutdown();
      if (killSwitch != null) {
        killSwitch.abort(new IllegalStateException(why));
      }
    }
    // Waiters get the last word, so askers move on to wherever the singleton goes next.
    ClusterSourceStatus last = snapshot();
    ClusterSourceStatus stopped =
        new ClusterSourceStatus(
            last.singletonName(),
            last.slotName(),
            last.node(),
            StatusLevel.STOPPED,
            why,
            Instant.now(),
            last.confirmedLsn(),
            last.receivedLsn(),
            last.lagBytes(),
            last.deliveredEnvelopes(),
            last.acknowledgedTransactions(),
            last.reconnects(),
            last.restarts(),
            last.lastFailure());
    waiters.forEach(w -> w.replyTo().tell(stopped));
    waiters.clear();
    finalListeners.forEach(l -> l.tell(stopped));
    finalListeners.clear();
  }

  private void closeSubscription() {
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
  }

  private static String describe(Throwable t) {
    Throwable cause = t;
    // Stream stages wrap errors; the innermost message is the one a person can act on.
    while (cause.getCause() != null
        && cause.getCause() != cause
        && (cause instanceof java.util.concurrent.CompletionException
            || cause instanceof java.util.concurrent.ExecutionException)) {
      cause = cause.getCause();
    }
    String msg = cause.getMessage();
    return msg == null ? cause.getClass().getName() : cause.getClass().getSimpleName() + ": " + msg;
  }
}
