package io.slotkeeper.cluster.internal;

import com.typesafe.config.Config;
import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.cluster.ClusterSourceSettings;
import io.slotkeeper.cluster.ClusterSourceStatus;
import io.slotkeeper.cluster.SourceFlowFactory;
import io.slotkeeper.cluster.SourceRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sharded source: the Cluster Sharding entity whose id is the source id. It reads the source's
 * entry from the registry, then runs it in a child {@link SourceSingleton} (the same actor that
 * runs a singleton source: one run at a time, the user's flow built anew per run, restarts with
 * back-off, and the hand-over drain), and forwards status questions to it.
 *
 * <pre>
 * LOADING ──entry──▶ RUNNING ──HandOver (rebalance, node leaving)──▶ STOPPING ──child gone──▶ stopped
 *    │                  └──Stop (removal)──▶ REMOVING ──child gone──▶ reply, Passivate ──HandOver──▶ stopped
 *    └──no entry──▶ IDLE (Passivate) ──HandOver──▶ stopped
 * </pre>
 *
 * <p>{@link SourceSingleton.HandOver} is the entity's stop message: the shard sends it when it
 * moves the entity (rebalance, a leaving node) and after a {@code Passivate}, and starts the entity
 * elsewhere only once this actor has stopped, which is after the child drained at a transaction
 * boundary and sent its final status update. The entity stops by itself only through {@code
 * Passivate}, which also makes remember-entities forget it; any other stop is a crash, after which
 * sharding starts it again.
 */
@InternalApi
public final class SourceEntity extends AbstractBehavior<SourceSingleton.Command> {

  /**
   * Stop the source for good (drain, final status update) and reply with its last status; the
   * entity then passivates, so remember-entities forgets it. The removal's last step; the registry
   * entry is gone by then.
   */
  public record Stop(ActorRef<ClusterSourceStatus> replyTo)
      implements SourceSingleton.RemoteCommand {}

  private record Loaded(Optional<Config> entry, Throwable error)
      implements SourceSingleton.Command {}

  private enum RetryLoad implements SourceSingleton.Command {
    INSTANCE
  }

  private record ChildFinal(ClusterSourceStatus status) implements SourceSingleton.Command {}

  private enum ChildGone implements SourceSingleton.Command {
    INSTANCE
  }

  private enum State {
    LOADING,
    RUNNING,
    STOPPING,
    REMOVING,
    IDLE
  }

  private static final Logger log = LoggerFactory.getLogger(SourceEntity.class);
  private static final Duration LOAD_RETRY = Duration.ofSeconds(1);

  private final String id;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final SourceRegistry registry;
  private final Config nodeSourceSection;
  private final ClusterSourceSettings runs;
  private final SourceFlowFactory factory;
  private final StashBuffer<SourceSingleton.Command> stash;
  private final TimerScheduler<SourceSingleton.Command> timers;
  private final String node;

  private State state = State.LOADING;
  private String slotName = "";
  private ActorRef<SourceSingleton.Command> child;
  private ActorRef<ClusterSourceStatus> removalReplyTo;
  private ClusterSourceStatus last;
  private boolean childGone;

  public static Behavior<SourceSingleton.Command> create(
      String id,
      ActorRef<ClusterSharding.ShardCommand> shard,
      SourceRegistry registry,
      Config nodeSourceSection,
      ClusterSourceSettings runs,
      SourceFlowFactory factory) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    Behaviors.withStash(
                        10_000,
                        stash ->
                            new SourceEntity(
                                ctx,
                                timers,
                                stash,
                                id,
                                shard,
                                registry,
                                nodeSourceSection,
                                runs,
                                factory))));
  }

  private SourceEntity(
      ActorContext<SourceSingleton.Command> ctx,
      TimerScheduler<SourceSingleton.Command> timers,
      StashBuffer<SourceSingleton.Command> stash,
      String id,
      ActorRef<ClusterSharding.ShardCommand> shard,
      SourceRegistry registry,
      Config nodeSourceSection,
      ClusterSourceSettings runs,
      SourceFlowFactory factory) {
    super(ctx);
    this.timers = timers;
    this.stash = stash;
    this.id = id;
    this.shard = shard;
    this.registry = registry;
    this.nodeSourceSection = nodeSourceSection;
    this.runs = runs;
    this.factory = factory;
    this.node = Cluster.get(ctx.getSystem()).selfMember().address().toString();
    load();
  }

  private void load() {
    getContext().pipeToSelf(registry.get(id), Loaded::new);
  }

  @Override
  public Receive<SourceSingleton.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Loaded.class, this::onLoaded)
        .onMessageEquals(
            RetryLoad.INSTANCE,
            () -> {
              load();
              return this;
            })
        .onMessage(SourceSingleton.GetStatus.class, this::onGetStatus)
        .onMessage(SourceSingleton.WaitFor.class, this::onWaitFor)
        .onMessage(Stop.class, this::onStop)
        .onMessageEquals(SourceSingleton.HandOver.INSTANCE, this::onHandOver)
        .onMessage(
            ChildFinal.class,
            m -> {
              last = m.status();
              return maybeRemoved();
            })
        .onMessageEquals(ChildGone.INSTANCE, this::onChildGone)
        .build();
  }

  // ------------------------------------------------------------------ loading

  private Behavior<SourceSingleton.Command> onLoaded(Loaded m) {
    if (state != State.LOADING) {
      return this;
    }
    if (m.error() != null) {
      log.warn(
          "sharded source {} on {}: could not read its registry entry ({}); trying again in {}",
          id,
          node,
          m.error().getMessage(),
          LOAD_RETRY);
      timers.startSingleTimer(RetryLoad.INSTANCE, LOAD_RETRY);
      return this;
    }
    if (m.entry().isEmpty()) {
      // Removed (or never added): nothing to run, and nothing for remember-entities to keep.
      log.info("sharded source {} on {}: not in the registry; passivating", id, node);
      idle("not in the registry of sharded sources");
      return stash.unstashAll(this);
    }
    SourceSettings settings;
    try {
      settings = SourceSettings.create(m.entry().get().withFallback(nodeSourceSection)).validate();
    } catch (RuntimeException e) {
      // Checked when added; a node whose own slotkeeper.source differs can still get here.
      log.error(
          "sharded source {} on {}: its settings are not usable: {}", id, node, e.getMessage());
      last =
          status(
              StatusLevel.FAILED, "its settings are not usable on " + node + ": " + e.getMessage());
      state = State.IDLE;
      return stash.unstashAll(this);
    }
    slotName = settings.slot().name();
    Behavior<SourceSingleton.Command> run =
        Behaviors.supervise(
                SourceSingleton.create(settings, runs, sys -> factory.create(sys, id), id))
            .onFailure(
                SupervisorStrategy.restartWithBackoff(
                    positiveOr(runs.restart().minBackoff()),
                    positiveOr(runs.restart().maxBackoff()),
                    runs.restart().randomFactor()));
    child = getContext().spawn(run, "source");
    getContext().watchWith(child, ChildGone.INSTANCE);
    state = State.RUNNING;
    return stash.unstashAll(this);
  }

  private static Duration positiveOr(Duration d) {
    return d.isZero() ? Duration.ofSeconds(1) : d;
  }

  private void idle(String reason) {
    state = State.IDLE;
    last = status(StatusLevel.STOPPED, reason);
    shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
  }

  // ------------------------------------------------------------------ questions

  private Behavior<SourceSingleton.Command> onGetStatus(SourceSingleton.GetStatus m) {
    if (state == State.LOADING) {
      stash.stash(m);
    } else if (childRuns()) {
      child.tell(m);
    } else {
      m.replyTo().tell(lastOrStopped());
    }
    return this;
  }

  private Behavior<SourceSingleton.Command> onWaitFor(SourceSingleton.WaitFor m) {
    if (state == State.LOADING) {
      stash.stash(m);
    } else if (childRuns()) {
      child.tell(m);
    } else {
      m.replyTo().tell(lastOrStopped());
    }
    return this;
  }

  /** The child is there to answer: running, or draining for a hand-over or a removal. */
  private boolean childRuns() {
    return child != null && !childGone && state != State.IDLE;
  }

  private ClusterSourceStatus lastOrStopped() {
    return last != null ? last : status(StatusLevel.STOPPED, "stopping");
  }

  // ------------------------------------------------------------------ ending

  private Behavior<SourceSingleton.Command> onStop(Stop m) {
    switch (state) {
      case LOADING -> stash.stash(m);
      case RUNNING -> {
        log.info("sharded source {} on {}: removed; draining and stopping it", id, node);
        state = State.REMOVING;
        removalReplyTo = m.replyTo();
        child.tell(
            new SourceSingleton.FinalStatusTo(
                getContext().messageAdapter(ClusterSourceStatus.class, ChildFinal::new)));
        // The same drain as a hand-over: transaction boundary, acknowledgements, final status.
        child.tell(SourceSingleton.HandOver.INSTANCE);
      }
      case REMOVING -> {
        // Asked again (the first asker timed out): answer this one once done.
        removalReplyTo = m.replyTo();
      }
      case STOPPING, IDLE -> {
        m.replyTo().tell(lastOrStopped());
        if (state == State.IDLE) {
          shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
        }
      }
    }
    return this;
  }

  private Behavior<SourceSingleton.Command> onHandOver() {
    switch (state) {
      case RUNNING -> {
        log.info("sharded source {} on {}: handing over", id, node);
        state = State.STOPPING;
        child.tell(SourceSingleton.HandOver.INSTANCE);
        return this;
      }
      case STOPPING, REMOVING -> {
        // Already ending; stop once the child is gone.
        return this;
      }
      default -> {
        return Behaviors.stopped();
      }
    }
  }

  private Behavior<SourceSingleton.Command> onChildGone() {
    childGone = true;
    if (state == State.STOPPING) {
      return Behaviors.stopped();
    }
    if (state == State.RUNNING) {
      // Not asked to stop: the child's own supervision gave up. Stop so that sharding (with
      // remember-entities) starts this source again after its back-off.
      log.error("sharded source {} on {}: its run actor stopped unasked; restarting", id, node);
      return Behaviors.stopped();
    }
    return maybeRemoved();
  }

  private Behavior<SourceSingleton.Command> maybeRemoved() {
    if (state != State.REMOVING || !childGone) {
      return this;
    }
    ClusterSourceStatus finalStatus =
        last != null ? last : status(StatusLevel.STOPPED, "removed; no final status was reported");
    last = finalStatus;
    log.info(
        "sharded source {} on {}: stopped for removal; slot {} confirmed at {}",
        id,
        node,
        slotName,
        finalStatus.confirmedLsn());
    if (removalReplyTo != null) {
      removalReplyTo.tell(finalStatus);
      removalReplyTo = null;
    }
    state = State.IDLE;
    shard.tell(new ClusterSharding.Passivate<>(getContext().getSelf()));
    return this;
  }

  private ClusterSourceStatus status(StatusLevel level, String reason) {
    return new ClusterSourceStatus(
        id,
        slotName,
        node,
        level,
        reason,
        Instant.now(),
        Lsn.INVALID,
        Lsn.INVALID,
        0,
        0,
        0,
        0,
        0,
        "");
  }
}
