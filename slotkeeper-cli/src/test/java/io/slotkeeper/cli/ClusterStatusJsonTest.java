package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import io.slotkeeper.cluster.ClusterSourceStatus;
import io.slotkeeper.cluster.ShardedSourcesStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cluster view's JSON ({@code slotkeeper cluster --http}, GET /status), field by field. */
class ClusterStatusJsonTest {
  private static final String N1 = "pekko://slotkeeper@10.0.0.1:2552";
  private static final String N2 = "pekko://slotkeeper@10.0.0.2:2552";

  private static ClusterSourceStatus status(
      String id, String node, StatusLevel level, String reason, long confirmed, long received) {
    return new ClusterSourceStatus(
        id,
        id + "_slot",
        node,
        level,
        reason,
        Instant.parse("2026-12-01T12:00:00Z"),
        Lsn.of(confirmed),
        Lsn.of(received),
        ClusterSourceStatus.lag(Lsn.of(received), Lsn.of(confirmed)),
        7,
        3,
        1,
        0,
        "");
  }

  private static Map<String, Object> json(ShardedSourcesStatus s) {
    // Through the writer and back: what a client parses, not the map before it.
    return TestJson.object(
        Json.write(
            ClusterStatusJson.json(
                N1,
                List.of(
                    new ClusterStatusJson.Member(N1, "Up"), new ClusterStatusJson.Member(N2, "Up")),
                s)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> obj(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  @Test
  void everySourceWithItsNodeLevelPositionsAndLagSortedById() {
    Map<String, Object> j =
        json(
            new ShardedSourcesStatus(
                List.of(
                    status("orders", N2, StatusLevel.ACTIVE, "streaming", 0x1000, 0x1800),
                    status("billing", N1, StatusLevel.ACTIVE, "", 0x2000, 0x2000)),
                List.of()));
    assertThat(j).containsEntry("node", N1);
    List<Object> sources = list(j.get("sources"));
    assertThat(sources).hasSize(2);
    Map<String, Object> billing = obj(sources.get(0));
    Map<String, Object> orders = obj(sources.get(1));
    assertThat(billing).containsEntry("id", "billing").containsEntry("node", N1);
    assertThat(orders)
        .containsEntry("id", "orders")
        .containsEntry("slot", "orders_slot")
        .containsEntry("node", N2)
        .containsEntry("level", "ACTIVE")
        .containsEntry("reason", "streaming")
        .containsEntry("since", "2026-12-01T12:00:00Z")
        .containsEntry("confirmed_lsn", "0/1000")
        .containsEntry("received_lsn", "0/1800")
        .containsEntry("lag_bytes", 0x800L)
        .containsEntry("delivered_envelopes", 7L)
        .containsEntry("acknowledged_transactions", 3L)
        .containsEntry("reconnects", 1L)
        .containsEntry("restarts", 0L)
        .containsEntry("last_failure", null)
        .doesNotContainKeys("failure", "waiting");
    assertThat(list(j.get("members")))
        .containsExactly(
            Map.of("address", N1, "status", "Up"), Map.of("address", N2, "status", "Up"));
  }

  @Test
  void theSummaryCountsSourcesPerLevelAndTheUnanswered() {
    Map<String, Object> j =
        json(
            new ShardedSourcesStatus(
                List.of(
                    status("a", N1, StatusLevel.ACTIVE, "", 1, 1),
                    status("b", N2, StatusLevel.ACTIVE, "", 1, 1),
                    status("c", N2, StatusLevel.STARTING, "connecting", 0, 0)),
                List.of("d")));
    Map<String, Object> summary = obj(j.get("summary"));
    assertThat(summary)
        .containsEntry("sources", 4L)
        .containsEntry("answered", 3L)
        .containsEntry("unanswered", 1L)
        .containsEntry("all_active", false)
        .containsEntry("text", "4 sources: STARTING 1, ACTIVE 2, no answer 1");
    // Every level, even those no source is at, so a dashboard need not guess a missing key.
    assertThat(obj(summary.get("by_level")))
        .containsEntry("STOPPED", 0L)
        .containsEntry("STARTING", 1L)
        .containsEntry("READY", 0L)
        .containsEntry("ACTIVE", 2L)
        .containsEntry("FAILED", 0L);
    assertThat(j.get("unanswered")).isEqualTo(List.of("d"));
  }

  @Test
  void allActiveOnlyWhenEverySourceAnsweredActive() {
    Map<String, Object> j =
        json(
            new ShardedSourcesStatus(
                List.of(status("a", N1, StatusLevel.ACTIVE, "", 1, 1)), List.of()));
    assertThat(obj(j.get("summary"))).containsEntry("all_active", true);
    Map<String, Object> none = json(new ShardedSourcesStatus(List.of(), List.of()));
    assertThat(obj(none.get("summary")))
        .containsEntry("sources", 0L)
        .containsEntry("text", "0 sources: none");
    assertThat(list(none.get("sources"))).isEmpty();
  }

  @Test
  void aFailureAndAWaitAreShownFromTheirFields() {
    ClusterSourceStatus failed =
        new ClusterSourceStatus(
            "f",
            "f_slot",
            N2,
            StatusLevel.FAILED,
            "publication missing",
            Instant.EPOCH,
            Lsn.INVALID,
            Lsn.INVALID,
            0,
            0,
            0,
            0,
            2,
            "the stream failed",
            Optional.of(
                new SourceFailedException(
                    FailureKind.CONFIGURATION,
                    "publication \"p\" does not exist",
                    "create it",
                    null,
                    null)),
            Optional.empty());
    ClusterSourceStatus waiting =
        new ClusterSourceStatus(
            "w",
            "w_slot",
            N1,
            StatusLevel.STARTING,
            "reconnecting",
            Instant.EPOCH,
            Lsn.INVALID,
            Lsn.INVALID,
            0,
            0,
            0,
            0,
            0,
            "",
            Optional.empty(),
            Optional.of(new Waiting.Reconnecting("connection refused", Duration.ofSeconds(2))));
    List<Object> sources =
        list(json(new ShardedSourcesStatus(List.of(waiting, failed), List.of())).get("sources"));
    Map<String, Object> f = obj(sources.get(0));
    assertThat(f)
        .containsEntry("level", "FAILED")
        .containsEntry("confirmed_lsn", "0/0")
        .containsEntry("last_failure", "the stream failed")
        .containsEntry("restarts", 2L);
    assertThat(obj(f.get("failure")))
        .containsEntry("problem", "publication \"p\" does not exist")
        .containsEntry("remediation", "create it");
    assertThat(obj(obj(sources.get(1)).get("waiting")))
        .containsEntry("kind", "reconnecting")
        .containsEntry("cause", "connection refused")
        .containsEntry("next_retry_ms", 2000L);
  }
}
