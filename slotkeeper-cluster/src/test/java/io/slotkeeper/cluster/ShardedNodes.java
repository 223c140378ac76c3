package io.slotkeeper.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Cluster nodes for the sharded-sources tests, on top of {@link ClusterNodes}: each node has its
 * own LMDB directory for the registry (node {@code i} always the same one, so a cluster started
 * again finds what the previous one wrote), short sharding timings, and, optionally, no coordinated
 * shutdown on terminate (so terminating it is a crash: no hand-over, no leaving).
 */
final class ShardedNodes implements AutoCloseable {
  /** Sharding timings for 2 busy cores: rebalance soon after a node joins, restart soon. */
  private static final String SHARDING_CONFIG =
      String.join(
          "\n",
          "pekko.cluster.sharding.rebalance-interval = 2s",
          "pekko.cluster.sharding.entity-restart-backoff = 1s",
          "pekko.cluster.sharding.retry-interval = 500ms",
          "pekko.cluster.sharding.coordinator-failure-backoff = 1s",
          "pekko.cluster.sharding.updating-state-timeout = 5s",
          "pekko.cluster.sharding.waiting-for-state-timeout = 5s");

  final ClusterNodes nodes = new ClusterNodes();
  private final Path ddataRoot;
  private final String extraConfig;
  final List<ActorSystem<Void>> started = new ArrayList<>();

  /**
   * @param extraConfig configuration every node gets, e.g. its {@code slotkeeper.source} defaults
   */
  ShardedNodes(Path ddataRoot, String extraConfig) {
    this.ddataRoot = ddataRoot;
    this.extraConfig = extraConfig;
  }

  /**
   * Starts node number {@code index} (its LMDB directory) and joins it to {@code seed}, or itself.
   */
  ActorSystem<Void> startNode(int index, boolean crashOnTerminate, ActorSystem<?> seed) {
    String config =
        extraConfig
            + "\n"
            + SHARDING_CONFIG
            + "\npekko.cluster.distributed-data.durable.lmdb.dir = \""
            + ddataRoot.resolve("node-" + index).toString().replace("\\", "/")
            + "\""
            + (crashOnTerminate
                ? "\npekko.coordinated-shutdown.run-by-actor-system-terminate = off"
                : "");
    ActorSystem<Void> node = nodes.start(config);
    ClusterNodes.join(node, seed == null ? node : seed);
    started.add(node);
    return node;
  }

  /** {@code n} nodes, numbered from {@code firstIndex}, one cluster, every node seeing all Up. */
  List<ActorSystem<Void>> formCluster(int firstIndex, int n, int crashable)
      throws InterruptedException {
    List<ActorSystem<Void>> formed = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ActorSystem<Void> node =
          startNode(
              firstIndex + i, firstIndex + i == crashable, formed.isEmpty() ? null : formed.get(0));
      formed.add(node);
      ClusterNodes.awaitUp(formed.get(0), i + 1);
    }
    for (ActorSystem<Void> node : formed) {
      ClusterNodes.awaitUp(node, n);
    }
    return formed;
  }

  static final Duration LONG = Duration.ofSeconds(120);

  @Override
  public void close() throws Exception {
    nodes.close();
  }
}
