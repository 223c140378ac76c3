package io.slotkeeper.cluster;

import com.typesafe.config.Config;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Where the set of sharded sources is kept: for each source id, its settings as a section shaped
 * like {@code slotkeeper.source} (only what differs from the node's own {@code slotkeeper.source},
 * which fills in the rest). {@link ShardedSources} writes it on {@code add}/{@code remove}, and
 * every node reads it when an entity starts, to learn what to stream, and when a node starts, to
 * start every source after a full cluster restart.
 *
 * <p>The default, {@link #distributedData}, keeps it in Pekko Distributed Data with durable (LMDB)
 * storage. Another implementation (a table in a database of your own, say) must give every node the
 * same answer once a write has completed, and keep the entries across restarts. Entries hold
 * secrets when the settings name a password: keep them where secrets may be kept, or leave the
 * password out of the entries and give it in each node's {@code slotkeeper.source.password}.
 */
public interface SourceRegistry {

  /** Adds or replaces the entry of {@code id}; completes once a later read on any node sees it. */
  CompletionStage<Done> put(String id, Config settings);

  /** The entry of {@code id}, empty when there is none. */
  CompletionStage<Optional<Config>> get(String id);

  /** Every entry, by id. */
  CompletionStage<Map<String, Config>> getAll();

  /** Removes the entry of {@code id} (done when there is none). */
  CompletionStage<Done> remove(String id);

  /**
   * The default registry: Pekko Distributed Data (an LWW map under {@code
   * slotkeeper.sharded-sources.registry.key}), written and read with majority consistency; durable
   * when that key is among {@code pekko.cluster.distributed-data.durable.keys} (as in
   * slotkeeper-cluster.conf).
   */
  static SourceRegistry distributedData(
      org.apache.pekko.actor.typed.ActorSystem<?> system, ShardedSourcesSettings settings) {
    return new io.slotkeeper.cluster.internal.DistributedDataRegistry(
        system, settings.registryKey(), settings.registryTimeout());
  }
}
