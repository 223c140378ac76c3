package io.slotkeeper.cluster;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.CommittableOffset;
import io.slotkeeper.Lsn;
import io.slotkeeper.pgoutput.Insert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The consumer of the tests: records every inserted row each node delivers, then acknowledges in
 * small batches (up to 100 ms late, as a consumer that writes in batches would), recording which
 * rows each node acknowledged. Rows are acknowledged with their transaction's Commit.
 */
final class Recorder {
  record Delivery(String node, String id, Lsn commitLsn) {}

  private record Item(CommittableOffset offset, List<String> rows) {}

  final List<Delivery> delivered = new CopyOnWriteArrayList<>();
  final Map<String, Set<String>> ackedByNode = new ConcurrentHashMap<>();

  /**
   * The flow a node runs, recording under {@code node}. A row matching {@code poison} fails the
   * flow.
   */
  FlowFactory factoryFor(String node, Predicate<String> poison) {
    return system -> {
      // Per run: the rows of the transaction being delivered. Only the first stage touches it.
      List<String> open = new ArrayList<>();
      return Flow.of(ChangeEnvelope.class)
          .map(
              env -> {
                if (env.message() instanceof Insert insert) {
                  String id = insert.newTuple().get(0).text();
                  if (poison.test(id)) {
                    throw new IllegalStateException("poison row " + id);
                  }
                  delivered.add(new Delivery(node, id, env.commitLsn()));
                  open.add(id);
                  return new Item(env.committableOffset(), List.of());
                }
                if (env.isCommit()) {
                  List<String> rows = List.copyOf(open);
                  open.clear();
                  return new Item(env.committableOffset(), rows);
                }
                return new Item(env.committableOffset(), List.of());
              })
          .groupedWithin(50, Duration.ofMillis(100))
          .mapConcat(batch -> batch)
          // Recorded just before the committer acknowledges (fused, no boundary in between).
          .map(
              item -> {
                ackedByNode
                    .computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet())
                    .addAll(item.rows());
                return item.offset();
              });
    };
  }

  FlowFactory factoryFor(String node) {
    return factoryFor(node, id -> false);
  }

  List<String> idsBy(String node) {
    return delivered.stream().filter(d -> d.node().equals(node)).map(Delivery::id).toList();
  }

  Set<String> allIds() {
    Set<String> ids = new HashSet<>();
    delivered.forEach(d -> ids.add(d.id()));
    return ids;
  }

  Set<String> acked(String node) {
    return ackedByNode.getOrDefault(node, Set.of());
  }

  /** How often each id was delivered, over all nodes. */
  Map<String, Integer> counts() {
    Map<String, Integer> counts = new HashMap<>();
    delivered.forEach(d -> counts.merge(d.id(), 1, Integer::sum));
    return counts;
  }
}
