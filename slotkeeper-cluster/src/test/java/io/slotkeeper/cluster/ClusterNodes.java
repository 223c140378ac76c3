package io.slotkeeper.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Join;

/**
 * Cluster nodes for tests: actor systems in this JVM on 127.0.0.1 with free ports, configured from
 * the module's own slotkeeper-cluster.conf (so the shipped configuration is what is tested) with
 * shorter timings.
 */
final class ClusterNodes implements AutoCloseable {
  static final String SYSTEM_NAME = "slotkeeper-it";

  /**
   * Test timings on top of slotkeeper-cluster.conf. The failure detector keeps its defaults: 2
   * shared cores.
   */
  private static final String TEST_CONFIG =
      String.join(
          "\n",
          "pekko.loglevel = INFO",
          "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
          "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
          "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"",
          "pekko.remote.artery.canonical.port = 0",
          "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
          "pekko.cluster.split-brain-resolver.stable-after = 2s",
          "pekko.cluster.gossip-interval = 500ms",
          "pekko.cluster.leader-actions-interval = 500ms",
          "pekko.cluster.quarantine-removed-node-after = 2s",
          "pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 10s");

  private final List<ActorSystem<Void>> nodes = new ArrayList<>();

  static Config config(String extra) {
    return ConfigFactory.load(
        ConfigFactory.parseString(extra)
            .withFallback(ConfigFactory.parseString(TEST_CONFIG))
            .withFallback(ConfigFactory.parseResources("slotkeeper-cluster.conf")));
  }

  /** Starts a node; it is not a member until {@link #join}. */
  ActorSystem<Void> start(String extraConfig) {
    ActorSystem<Void> system =
        ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config(extraConfig));
    nodes.add(system);
    return system;
  }

  /** Starts {@code n} nodes and forms one cluster of them; the first is the oldest. */
  List<ActorSystem<Void>> formCluster(int n, String firstNodeExtraConfig)
      throws InterruptedException {
    List<ActorSystem<Void>> formed = new ArrayList<>();
    formed.add(start(firstNodeExtraConfig));
    join(formed.get(0), formed.get(0));
    // One after the other, so the first node stays the oldest: it hosts the singleton.
    awaitUp(formed.get(0), 1);
    for (int i = 1; i < n; i++) {
      ActorSystem<Void> node = start("");
      join(node, formed.get(0));
      formed.add(node);
      awaitUp(formed.get(0), i + 1);
    }
    for (ActorSystem<Void> node : formed) {
      awaitUp(node, n);
    }
    return formed;
  }

  static void join(ActorSystem<?> node, ActorSystem<?> seed) {
    Cluster.get(node).manager().tell(Join.create(address(seed)));
  }

  static Address address(ActorSystem<?> node) {
    return Cluster.get(node).selfMember().address();
  }

  /** Waits until {@code node} sees {@code count} members Up. */
  static void awaitUp(ActorSystem<?> node, int count) throws InterruptedException {
    await(
        "node " + address(node) + " to see " + count + " members up",
        Duration.ofSeconds(30),
        () -> {
          int up = 0;
          for (org.apache.pekko.cluster.Member m : Cluster.get(node).state().getMembers()) {
            if (m.status() == MemberStatus.up()) {
              up++;
            }
          }
          return up == count;
        });
  }

  static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  /**
   * Ends every node still running, all at once, and waits for them. Each node is downed rather than
   * left: a downed node skips the leaving phases, where every node would try to hand its singletons
   * to another leaving node and wait out the cluster-exiting timeout.
   */
  @Override
  public void close() throws Exception {
    List<ActorSystem<Void>> live =
        nodes.stream().filter(n -> !n.getWhenTerminated().toCompletableFuture().isDone()).toList();
    for (ActorSystem<Void> node : live) {
      Cluster.get(node).manager().tell(new Down(address(node)));
    }
    List<CompletableFuture<?>> done = new ArrayList<>();
    for (ActorSystem<Void> node : live) {
      // Also for a node that never joined; a downed one terminates by itself.
      node.terminate();
      done.add(node.getWhenTerminated().toCompletableFuture());
    }
    CompletableFuture.allOf(done.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
  }
}
