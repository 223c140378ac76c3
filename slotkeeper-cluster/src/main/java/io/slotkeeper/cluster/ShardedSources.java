package io.slotkeeper.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.cluster.internal.SlotDropper;
import io.slotkeeper.cluster.internal.SourceEntity;
import io.slotkeeper.cluster.internal.SourceSingleton;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.sharding.typed.javadsl.StartEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point for many sources across a Pekko cluster: each source, known by an id, is a Cluster
 * Sharding entity that runs a replication source with the flow {@link SourceFlowFactory} builds for
 * it, on whichever node its shard lives. Sources are added, removed and listed at runtime from any
 * node; the set is kept in a {@link SourceRegistry} (by default Distributed Data, durable in LMDB).
 *
 * <pre>{@code
 * ShardedSources sources = ShardedSources.start(system,
 *     (sys, id) -> Flow.<ChangeEnvelope>create()
 *         .mapAsync(1, envelope -> store(id, envelope).thenApply(done -> envelope.committableOffset())));
 * sources.add("tenant-42", ConfigFactory.parseString(
 *     "url = \"jdbc:postgresql://db/tenant42\", slot-name = t42, publications = [t42_pub]"));
 * sources.statusAll().thenAccept(s -> log.info(s.summary()));   // from any node
 * }</pre>
 *
 * <p>Call {@code start} on every node that hosts sources or asks about them, with the same factory
 * and settings. A source's entry is a section shaped like {@code slotkeeper.source} holding what
 * differs per source; the node's own {@code slotkeeper.source} fills in the rest (keep a shared
 * password there, rather than in the registry, if the registry must hold no secrets).
 *
 * <p>Moves: entities are remembered, so a source whose node leaves or crashes, or whose shard is
 * rebalanced to a new node, starts again elsewhere by itself. A move hands over as a singleton
 * source does: the stream drains at a transaction boundary, the acknowledgements arrive, the final
 * status update confirms them, and only then does the next node start. PostgreSQL admits one
 * walsender per slot, so a source never streams on two nodes at once even in a split brain. After a
 * full cluster restart every node starts the sources the registry lists.
 *
 * <p>Delivery is at-least-once, as for a singleton source: after a crash what the dead node had not
 * confirmed to the server comes again; acknowledged and confirmed transactions never do.
 */
public final class ShardedSources {
  private static final Logger log = LoggerFactory.getLogger(ShardedSources.class);

  private final ActorSystem<?> system;
  private final ShardedSourcesSettings settings;
  private final SourceRegistry registry;
  private final Config nodeSourceSection;
  private final EntityTypeKey<SourceSingleton.Command> typeKey;
  private final ActorRef<ShardingEnvelope<SourceSingleton.Command>> region;

  private ShardedSources(
      ActorSystem<?> system,
      ShardedSourcesSettings settings,
      SourceRegistry registry,
      Config nodeSourceSection,
      EntityTypeKey<SourceSingleton.Command> typeKey,
      ActorRef<ShardingEnvelope<SourceSingleton.Command>> region) {
    this.system = system;
    this.settings = settings;
    this.registry = registry;
    this.nodeSourceSection = nodeSourceSection;
    this.typeKey = typeKey;
    this.region = region;
  }

  /**
   * With the settings at {@code slotkeeper.sharded-sources} and {@code slotkeeper.cluster}, and the
   * Distributed Data registry.
   */
  public static ShardedSources start(ActorSystem<?> system, SourceFlowFactory factory) {
    return start(system, factory, ShardedSourcesSettings.create(system));
  }

  /** With the Distributed Data registry. */
  public static ShardedSources start(
      ActorSystem<?> system, SourceFlowFactory factory, ShardedSourcesSettings settings) {
    return start(
        system, factory, settings, SourceRegistry.distributedData(system, settings.validate()));
  }

  /**
   * Starts this node's part: the shard region of the sources (hosting them unless the node lacks
   * {@link ShardedSourcesSettings#role()}), and, once the node is Up, every source the registry
   * lists (after a full cluster restart nothing else would). A second call on one node returns
   * another handle to the same region.
   *
   * @throws IllegalStateException when the actor system is not a cluster node
   */
  public static ShardedSources start(
      ActorSystem<?> system,
      SourceFlowFactory factory,
      ShardedSourcesSettings settings,
      SourceRegistry registry) {
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(settings, "settings").validate();
    ClusterSource.requireCluster(system);
    warnIfNotDurable(system, settings, registry);
    Config nodeSourceSection = system.settings().config().getConfig(SourceSettings.CONFIG_PATH);
    EntityTypeKey<SourceSingleton.Command> typeKey =
        EntityTypeKey.create(SourceSingleton.Command.class, settings.entityTypeName());
    ClusterShardingSettings shardingSettings =
        ClusterShardingSettings.create(system).withRememberEntities(true);
    if (settings.role().isPresent()) {
      shardingSettings = shardingSettings.withRole(settings.role().get());
    }
    ActorRef<ShardingEnvelope<SourceSingleton.Command>> region =
        ClusterSharding.get(system)
            .init(
                Entity.of(
                        typeKey,
                        ctx ->
                            SourceEntity.create(
                                ctx.getEntityId(),
                                ctx.getShard(),
                                registry,
                                nodeSourceSection,
                                settings.runs(),
                                factory))
                    // A move drains first: without it the shard would just stop the entity, with
                    // no final status update, and the next node could not stream until the
                    // walsender noticed.
                    .withStopMessage(SourceSingleton.HandOver.INSTANCE)
                    .withSettings(shardingSettings));
    ShardedSources sources =
        new ShardedSources(system, settings, registry, nodeSourceSection, typeKey, region);
    org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system))
        .registerOnMemberUp(sources::startRegistered);
    return sources;
  }

  /** Starts every registered source (a no-op for those running). */
  private void startRegistered() {
    registry
        .getAll()
        .whenComplete(
            (all, e) -> {
              if (e != null) {
                log.warn(
                    "sharded sources: could not read the registry to start its sources ({});"
                        + " remembered sources still start",
                    e.getMessage());
                return;
              }
              log.info("sharded sources: {} registered; starting them", all.size());
              all.keySet()
                  .forEach(
                      id -> region.tell(StartEntity.create(SourceSingleton.Command.class, id)));
            });
  }

  // ------------------------------------------------------------------ add, remove, list

  /**
   * Registers a source and starts it. {@code sourceSettings} is a section shaped like {@code
   * slotkeeper.source} (e.g. {@code url}, {@code slot-name}, {@code publications}); keys it lacks
   * come from this node's {@code slotkeeper.source}. Adding an id again with the same settings is a
   * no-op; with other settings it fails: remove it first.
   *
   * @throws IllegalArgumentException at once, when the id or the settings are not usable (naming
   *     the key and the fix; never a value)
   */
  public CompletionStage<Done> add(String id, Config sourceSettings) {
    checkId(id);
    Objects.requireNonNull(sourceSettings, "sourceSettings");
    SourceSettings.create(sourceSettings.withFallback(nodeSourceSection)).validate();
    String rendered = render(sourceSettings);
    return registry
        .get(id)
        .thenCompose(
            existing -> {
              if (existing.isPresent()) {
                if (render(existing.get()).equals(rendered)) {
                  return CompletableFuture.completedFuture(Done.getInstance());
                }
                return CompletableFuture.failedFuture(
                    new IllegalStateException(
                        "sharded source "
                            + id
                            + " is registered already, with other settings. Fix: remove it first"));
              }
              return registry.put(id, sourceSettings);
            })
        .thenApply(
            done -> {
              region.tell(StartEntity.create(SourceSingleton.Command.class, id));
              log.info("sharded source {} added", id);
              return done;
            });
  }

  /**
   * Removes a source: drops its registry entry, then stops it where it runs (drained at a
   * transaction boundary, final status update) and, with {@code dropSlot}, drops its replication
   * slot; without, the slot stays (holding WAL from its confirmed position on), so that adding the
   * source again continues where it stopped. Completes with the source's last status (level
   * STOPPED, its confirmed position), within {@link ShardedSourcesSettings#removeTimeout()}.
   */
  public CompletionStage<ClusterSourceStatus> remove(String id, boolean dropSlot) {
    checkId(id);
    Duration timeout = settings.removeTimeout();
    return registry
        .get(id)
        .thenCompose(
            entry ->
                registry
                    .remove(id)
                    .thenCompose(
                        done ->
                            ClusterSharding.get(system)
                                .entityRefFor(typeKey, id)
                                .<ClusterSourceStatus>ask(SourceEntity.Stop::new, timeout))
                    .thenCompose(
                        last -> {
                          if (!dropSlot || entry.isEmpty()) {
                            log.info("sharded source {} removed; {}", id, last);
                            return CompletableFuture.completedFuture(last);
                          }
                          SourceSettings s =
                              SourceSettings.create(entry.get().withFallback(nodeSourceSection));
                          return CompletableFuture.supplyAsync(
                              () -> {
                                try {
                                  boolean dropped = SlotDropper.drop(s, timeout);
                                  log.info(
                                      "sharded source {} removed; slot {} {}",
                                      id,
                                      s.slot().name(),
                                      dropped ? "dropped" : "was not there");
                                  return last;
                                } catch (Exception e) {
                                  throw new CompletionException(
                                      new IllegalStateException(
                                          "sharded source "
                                              + id
                                              + " was removed and stopped, but its slot "
                                              + s.slot().name()
                                              + " could not be dropped: "
                                              + e.getMessage()
                                              + ". Fix: drop it by hand (slotkeeper slot drop)",
                                          e));
                                }
                              },
                              blocking());
                        }));
  }

  /**
   * The registered sources, by id, with their settings as they run (this node's {@code
   * slotkeeper.source} filling in; {@code toString} masks secrets).
   */
  public CompletionStage<Map<String, SourceSettings>> list() {
    return registry
        .getAll()
        .thenApply(
            all -> {
              Map<String, SourceSettings> out = new TreeMap<>();
              all.forEach(
                  (id, section) ->
                      out.put(id, SourceSettings.create(section.withFallback(nodeSourceSection))));
              return out;
            });
  }

  // ------------------------------------------------------------------ status

  /** One source's status, from wherever it runs, within the status timeout. */
  public CompletionStage<ClusterSourceStatus> status(String id) {
    checkId(id);
    return ClusterSharding.get(system)
        .entityRefFor(typeKey, id)
        .ask(SourceSingleton.GetStatus::new, settings.statusTimeout());
  }

  /**
   * Every registered source's status, asked in parallel; a source that does not answer within the
   * status timeout is listed as unanswered.
   */
  public CompletionStage<ShardedSourcesStatus> statusAll() {
    return registry
        .getAll()
        .thenCompose(
            all -> {
              List<String> ids = new ArrayList<>(all.keySet());
              List<CompletableFuture<ClusterSourceStatus>> asks = new ArrayList<>();
              for (String id : ids) {
                asks.add(
                    status(id)
                        .toCompletableFuture()
                        .exceptionally(e -> null)); // unanswered, reported below
              }
              return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0]))
                  .thenApply(
                      v -> {
                        List<ClusterSourceStatus> answers = new ArrayList<>();
                        List<String> unanswered = new ArrayList<>();
                        for (int i = 0; i < ids.size(); i++) {
                          ClusterSourceStatus s = asks.get(i).join();
                          if (s == null) {
                            unanswered.add(ids.get(i));
                          } else {
                            answers.add(s);
                          }
                        }
                        return new ShardedSourcesStatus(answers, unanswered);
                      });
            });
  }

  /**
   * Completes once every registered source answers with {@code level} (asking again every half
   * second), or exceptionally with a {@link TimeoutException} naming the last summary.
   */
  public CompletionStage<ShardedSourcesStatus> awaitAll(StatusLevel level, Duration timeout) {
    CompletableFuture<ShardedSourcesStatus> result = new CompletableFuture<>();
    awaitAll(level, System.nanoTime() + timeout.toNanos(), timeout, null, result);
    return result;
  }

  private void awaitAll(
      StatusLevel level,
      long deadline,
      Duration timeout,
      ShardedSourcesStatus last,
      CompletableFuture<ShardedSourcesStatus> result) {
    if (System.nanoTime() > deadline) {
      result.completeExceptionally(
          new TimeoutException(
              "not every sharded source reached "
                  + level
                  + " within "
                  + timeout
                  + "; last seen: "
                  + (last == null ? "no answer" : last.summary())));
      return;
    }
    statusAll()
        .whenComplete(
            (s, e) -> {
              if (s != null && s.allAt(level)) {
                result.complete(s);
              } else {
                CompletableFuture.delayedExecutor(500, java.util.concurrent.TimeUnit.MILLISECONDS)
                    .execute(
                        () -> awaitAll(level, deadline, timeout, s == null ? last : s, result));
              }
            });
  }

  public ShardedSourcesSettings settings() {
    return settings;
  }

  // ------------------------------------------------------------------ helpers

  private Executor blocking() {
    return system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  private static String render(Config c) {
    return c.root().render(ConfigRenderOptions.concise());
  }

  private static void checkId(String id) {
    if (id == null || !id.matches("[A-Za-z0-9_.-]{1,100}")) {
      throw new IllegalArgumentException(
          "sharded source id '"
              + id
              + "' is not usable. Fix: use 1 to 100 letters, digits, '.', '-' and '_'");
    }
  }

  private static void warnIfNotDurable(
      ActorSystem<?> system, ShardedSourcesSettings settings, SourceRegistry registry) {
    if (!(registry instanceof io.slotkeeper.cluster.internal.DistributedDataRegistry)) {
      return;
    }
    List<String> durable =
        system.settings().config().getStringList("pekko.cluster.distributed-data.durable.keys");
    boolean covered =
        durable.stream()
            .anyMatch(
                k ->
                    k.equals(settings.registryKey())
                        || (k.endsWith("*")
                            && settings.registryKey().startsWith(k.substring(0, k.length() - 1))));
    if (!covered) {
      log.warn(
          "the registry of sharded sources ({}) is not durable: a full cluster restart forgets every"
              + " source. Fix: add it to pekko.cluster.distributed-data.durable.keys (see"
              + " slotkeeper-cluster.conf)",
          settings.registryKey());
    }
  }

  @Override
  public String toString() {
    return "ShardedSources(" + settings.entityTypeName() + ")";
  }
}
