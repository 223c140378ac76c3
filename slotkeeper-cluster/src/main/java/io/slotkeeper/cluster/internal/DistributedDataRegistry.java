package io.slotkeeper.cluster.internal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import io.slotkeeper.InternalApi;
import io.slotkeeper.cluster.SourceRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ddata.DistributedData;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.Replicator;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.pattern.Patterns;

/**
 * The default {@link SourceRegistry}: one LWW map (id → the settings section rendered as HOCON) in
 * the node's Distributed Data replicator. Writes and reads ask a majority of the nodes, so an
 * entity that starts right after an {@code add} on another node finds its entry; a read that a
 * majority does not answer in time falls back to this node's copy (the set changes rarely, and an
 * entity that restarts after a node loss must not wait for a majority it may not have).
 *
 * <p>Durable across a full cluster restart when the key is among {@code
 * pekko.cluster.distributed-data.durable.keys}: the replicator then keeps the map in LMDB and loads
 * it before answering anything.
 */
@InternalApi
public final class DistributedDataRegistry implements SourceRegistry {
  private final org.apache.pekko.actor.ActorRef replicator;
  private final SelfUniqueAddress self;
  private final Key<LWWMap<String, String>> key;
  private final Duration timeout;

  public DistributedDataRegistry(ActorSystem<?> system, String key, Duration timeout) {
    DistributedData ddata = DistributedData.get(Adapter.toClassic(system));
    this.replicator = ddata.replicator();
    this.self = ddata.selfUniqueAddress();
    this.key = LWWMapKey.create(key);
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<Done> put(String id, Config settings) {
    String text = settings.root().render(ConfigRenderOptions.concise());
    return update(m -> m.put(self, id, text), "add " + id);
  }

  @Override
  public CompletionStage<Done> remove(String id) {
    return update(m -> m.remove(self, id), "remove " + id);
  }

  @Override
  public CompletionStage<Optional<Config>> get(String id) {
    return getAll().thenApply(all -> Optional.ofNullable(all.get(id)));
  }

  @Override
  public CompletionStage<Map<String, Config>> getAll() {
    return read(new Replicator.ReadMajority(timeout))
        .exceptionallyCompose(e -> read(Replicator.readLocal()));
  }

  private CompletionStage<Map<String, Config>> read(Replicator.ReadConsistency consistency) {
    // The ask outlives the replicator's own timeout, so the replicator's answer (GetFailure) wins.
    return Patterns.ask(replicator, new Replicator.Get<>(key, consistency), timeout.multipliedBy(2))
        .thenCompose(
            reply -> {
              if (reply instanceof Replicator.GetSuccess<?> ok) {
                @SuppressWarnings("unchecked")
                LWWMap<String, String> map = (LWWMap<String, String>) ok.dataValue();
                Map<String, Config> out = new TreeMap<>();
                map.getEntries()
                    .forEach((id, text) -> out.put(id, ConfigFactory.parseString(text)));
                return CompletableFuture.completedFuture(out);
              } else if (reply instanceof Replicator.NotFound<?>) {
                return CompletableFuture.completedFuture(new TreeMap<>());
              }
              return CompletableFuture.failedFuture(
                  new IllegalStateException(
                      "the registry of sharded sources could not be read (" + reply + ")"));
            });
  }

  private CompletionStage<Done> update(
      java.util.function.UnaryOperator<LWWMap<String, String>> change, String what) {
    Replicator.Update<LWWMap<String, String>> update =
        new Replicator.Update<>(
            key, LWWMap.create(), new Replicator.WriteMajority(timeout), change::apply);
    return Patterns.ask(replicator, update, timeout.multipliedBy(2))
        .thenCompose(
            reply -> {
              if (reply instanceof Replicator.UpdateSuccess<?>) {
                return CompletableFuture.completedFuture(Done.getInstance());
              }
              // UpdateTimeout: written here, not yet confirmed by a majority (it spreads by
              // gossip); the caller may not count on other nodes seeing it yet.
              return CompletableFuture.failedFuture(
                  new IllegalStateException(
                      "registry of sharded sources: "
                          + what
                          + " not confirmed by a majority of the nodes within "
                          + timeout
                          + " ("
                          + reply.getClass().getSimpleName()
                          + "); try again"));
            });
  }
}
