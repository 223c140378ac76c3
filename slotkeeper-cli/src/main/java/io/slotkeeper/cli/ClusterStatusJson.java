package io.slotkeeper.cli;

import io.slotkeeper.StatusLevel;
import io.slotkeeper.cluster.ClusterSourceStatus;
import io.slotkeeper.cluster.ShardedSourcesStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of {@code GET /status} in {@code slotkeeper cluster}: every registered source as the
 * cluster answered for it (the node hosting it, level, reason, positions, lag), a summary of how
 * many sources are at each level, and the members this node sees. Built from {@link
 * ShardedSourcesStatus}, so any node gives the same view of the sources.
 */
final class ClusterStatusJson {
  private ClusterStatusJson() {}

  /** A cluster member as this node sees it: its address and membership status (Up, Leaving …). */
  record Member(String address, String status) {}

  /**
   * @param answeredBy the address of the node that asked the cluster (the one serving the page)
   * @param members the members this node sees, oldest first or in any order the caller chooses
   */
  static Map<String, Object> json(
      String answeredBy, List<Member> members, ShardedSourcesStatus status) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("node", answeredBy);
    List<Object> memberList = new ArrayList<>();
    for (Member member : members) {
      Map<String, Object> mm = new LinkedHashMap<>();
      mm.put("address", member.address());
      mm.put("status", member.status());
      memberList.add(mm);
    }
    m.put("members", memberList);
    m.put("summary", summary(status));
    List<ClusterSourceStatus> sorted = new ArrayList<>(status.sources());
    sorted.sort(Comparator.comparing(ClusterSourceStatus::singletonName));
    List<Object> sources = new ArrayList<>();
    for (ClusterSourceStatus s : sorted) {
      sources.add(source(s));
    }
    m.put("sources", sources);
    m.put("unanswered", status.unanswered().stream().sorted().toList());
    return m;
  }

  /** How many sources are registered, answered and at each level (every level, 0 when none). */
  static Map<String, Object> summary(ShardedSourcesStatus status) {
    Map<String, Object> byLevel = new LinkedHashMap<>();
    status.byLevel().forEach((level, n) -> byLevel.put(level.name(), n));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sources", status.sources().size() + status.unanswered().size());
    m.put("answered", status.sources().size());
    m.put("unanswered", status.unanswered().size());
    m.put("by_level", byLevel);
    m.put("all_active", status.allAt(StatusLevel.ACTIVE));
    m.put("text", status.summary());
    return m;
  }

  /** One source: the sharded entity's id is the status's singleton name. */
  static Map<String, Object> source(ClusterSourceStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.singletonName());
    m.put("slot", s.slotName());
    m.put("node", s.node());
    m.put("level", s.level().name());
    m.put("reason", s.reason());
    m.put("since", s.since().toString());
    m.put("confirmed_lsn", s.confirmedLsn().toString());
    m.put("received_lsn", s.receivedLsn().toString());
    m.put("lag_bytes", s.lagBytes());
    m.put("delivered_envelopes", s.deliveredEnvelopes());
    m.put("acknowledged_transactions", s.acknowledgedTransactions());
    m.put("reconnects", s.reconnects());
    m.put("restarts", s.restarts());
    m.put("last_failure", s.lastFailureReason().orElse(null));
    s.waiting().ifPresent(w -> m.put("waiting", HttpStatusServer.waitingJson(w)));
    s.error().ifPresent(e -> m.put("failure", HttpStatusServer.failureJson(e)));
    return m;
  }
}
