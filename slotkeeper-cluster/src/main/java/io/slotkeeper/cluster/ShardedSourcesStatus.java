package io.slotkeeper.cluster;

import io.slotkeeper.StatusLevel;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The status of every registered sharded source, as asked from one node: each source's own answer
 * (its node, level, reason, positions and lag: {@link ClusterSourceStatus}, whose {@code
 * singletonName} is the source id) and a summary of how many sources are at each level.
 *
 * @param sources the answers, by source id
 * @param unanswered ids of registered sources that did not answer within the status timeout (their
 *     entity is moving between nodes, or their node is unreachable)
 */
public record ShardedSourcesStatus(List<ClusterSourceStatus> sources, List<String> unanswered) {

  public ShardedSourcesStatus {
    sources = List.copyOf(sources);
    unanswered = List.copyOf(unanswered);
  }

  /** How many sources answered with each level; every level is present, 0 when none. */
  public Map<StatusLevel, Integer> byLevel() {
    Map<StatusLevel, Integer> counts = new EnumMap<>(StatusLevel.class);
    for (StatusLevel l : StatusLevel.values()) {
      counts.put(l, 0);
    }
    sources.forEach(s -> counts.merge(s.level(), 1, Integer::sum));
    return Collections.unmodifiableMap(counts);
  }

  /** True when every registered source answered, each at {@code level}. */
  public boolean allAt(StatusLevel level) {
    return unanswered.isEmpty() && sources.stream().allMatch(s -> s.level() == level);
  }

  /** One line: the counts per level, and how many did not answer. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    byLevel()
        .forEach(
            (level, n) -> {
              if (n > 0) {
                out.append(out.length() == 0 ? "" : ", ").append(level).append(' ').append(n);
              }
            });
    if (!unanswered.isEmpty()) {
      out.append(out.length() == 0 ? "" : ", ").append("no answer ").append(unanswered.size());
    }
    int total = sources.size() + unanswered.size();
    return total + (total == 1 ? " source: " : " sources: ") + (out.length() == 0 ? "none" : out);
  }
}
