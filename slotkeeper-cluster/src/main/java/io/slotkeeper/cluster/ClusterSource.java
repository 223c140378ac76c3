package io.slotkeeper.cluster;

import com.typesafe.config.Config;
import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.CommittableOffset;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.cluster.internal.SourceSingleton;
import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.stream.javadsl.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: runs a replication source as a Pekko Cluster Singleton, so exactly one node of the
 * cluster streams the slot and another takes over when that node leaves or fails.
 *
 * <pre>{@code
 * ClusterSourceHandle handle = ClusterSource.start(system, sourceSettings,
 *     sys -> Flow.<ChangeEnvelope>create()
 *         .mapAsync(1, envelope -> store(envelope).thenApply(done -> envelope.committableOffset())),
 *     ClusterSourceSettings.create(system));
 * handle.status().thenAccept(s -> log.info("{}", s));   // from any node
 * }</pre>
 *
 * <p>Call it on every node, with the same source settings and singleton name: each call starts this
 * node's part (the singleton manager, if the node may host it, and a proxy) and the cluster runs
 * the source on its oldest eligible node. On one node the first call for a name wins; later calls
 * return a handle to the same singleton.
 *
 * <p>Delivery is at-least-once across moves. A graceful move (the node leaves) drains the stream
 * first, so normally nothing is delivered twice; after a crash, what the old node had not yet
 * confirmed to the server is delivered again on the new node. Acknowledged and confirmed
 * transactions are never delivered again. PostgreSQL lets only one connection stream from a slot,
 * so even two nodes that both believe they host the singleton (a split brain) never both stream:
 * the second waits with "slot busy ... PID n" in its status.
 */
public final class ClusterSource {
  private static final Logger log = LoggerFactory.getLogger(ClusterSource.class);

  private ClusterSource() {}

  /** With the settings at {@code slotkeeper.cluster} in the system's configuration. */
  public static ClusterSourceHandle start(
      ActorSystem<?> system, SourceSettings settings, FlowFactory factory) {
    return start(system, settings, factory, ClusterSourceSettings.create(system));
  }

  /**
   * The same {@code flow} blueprint is materialized anew for every run; see {@link FlowFactory} for
   * per-run state.
   */
  public static ClusterSourceHandle start(
      ActorSystem<?> system,
      SourceSettings settings,
      Flow<ChangeEnvelope, CommittableOffset, ?> flow,
      ClusterSourceSettings clusterSettings) {
    Objects.requireNonNull(flow, "flow");
    return start(system, settings, sys -> flow, clusterSettings);
  }

  /**
   * Starts this node's part of the singleton that streams {@code settings}' slot through the flows
   * {@code factory} builds, and returns a handle for its status.
   *
   * @throws IllegalArgumentException when the source settings are incomplete (naming the fix)
   * @throws IllegalStateException when the actor system is not a cluster member ({@code
   *     pekko.actor.provider = cluster} is missing)
   */
  public static ClusterSourceHandle start(
      ActorSystem<?> system,
      SourceSettings settings,
      FlowFactory factory,
      ClusterSourceSettings clusterSettings) {
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(factory, "factory");
    // Fail here, on the caller's thread, not later inside a singleton on some other node.
    Objects.requireNonNull(clusterSettings, "clusterSettings").validate();
    SourceSettings source = Objects.requireNonNull(settings, "settings").validate();
    requireCluster(system);
    warnAboutClusterConfig(system, clusterSettings);

    String name = clusterSettings.singletonNameFor(source.slot().name());
    ClusterSingletonSettings singletonSettings = ClusterSingletonSettings.create(system);
    if (clusterSettings.role().isPresent()) {
      singletonSettings = singletonSettings.withRole(clusterSettings.role().get());
    }
    // The actor handles its stream's failures itself; this only guards against its own bugs, so
    // that one does not leave the cluster without a source (a stopped singleton is not restarted
    // by its manager) nor restart in a tight loop.
    Behavior<SourceSingleton.Command> behavior =
        Behaviors.supervise(SourceSingleton.create(source, clusterSettings, factory, name))
            .onFailure(
                SupervisorStrategy.restartWithBackoff(
                    clusterSettings.restart().minBackoff().isZero()
                        ? Duration.ofSeconds(1)
                        : clusterSettings.restart().minBackoff(),
                    clusterSettings.restart().maxBackoff().isZero()
                        ? Duration.ofSeconds(1)
                        : clusterSettings.restart().maxBackoff(),
                    clusterSettings.restart().randomFactor()));
    ActorRef<SourceSingleton.Command> proxy =
        ClusterSingleton.get(system)
            .init(
                SingletonActor.of(behavior, name)
                    // Without a stop message the manager would just stop the actor: no drain, no
                    // final
                    // status update, and the next node could not stream until the walsender
                    // noticed.
                    .withStopMessage(SourceSingleton.HandOver.INSTANCE)
                    .withSettings(singletonSettings));
    return new ClusterSourceHandle(
        system, proxy, name, source.slot().name(), clusterSettings.statusTimeout());
  }

  /** Fails naming the fix unless {@code system} is a cluster node; shared with ShardedSources. */
  static void requireCluster(ActorSystem<?> system) {
    String provider = system.settings().config().getString("pekko.actor.provider");
    if (!provider.equals("cluster") && !provider.endsWith("ClusterActorRefProvider")) {
      throw new IllegalStateException(
          "actor system "
              + system.name()
              + " is not a cluster node (pekko.actor.provider = "
              + provider
              + "). Fix: set pekko.actor.provider = cluster and join a cluster; see slotkeeper-cluster.conf");
    }
    Cluster.get(system);
  }

  private static void warnAboutClusterConfig(
      ActorSystem<?> system, ClusterSourceSettings settings) {
    Config c = system.settings().config();
    if (c.getString("pekko.cluster.downing-provider-class").isEmpty()) {
      log.warn(
          "no downing provider is configured: when the node hosting a clustered source crashes, the source will"
              + " not move until someone downs that node by hand. Fix: pekko.cluster.downing-provider-class ="
              + " \"org.apache.pekko.cluster.sbr.SplitBrainResolverProvider\" (see slotkeeper-cluster.conf)");
    }
    String phase = "pekko.coordinated-shutdown.phases.cluster-exiting.timeout";
    if (c.hasPath(phase)) {
      Duration exiting = c.getDuration(phase);
      Duration handOver = settings.drainTimeout().plus(settings.shutdownTimeout());
      if (handOver.compareTo(exiting) >= 0) {
        log.warn(
            "slotkeeper.cluster.hand-over drain-timeout + shutdown-timeout ({}) is not below {} ({}): a leaving"
                + " node may stop before its source has handed over. Fix: lower the hand-over timeouts or raise the phase"
                + " timeout",
            handOver,
            phase,
            exiting);
      }
    }
  }
}
