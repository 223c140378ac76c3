package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.cluster.ClusterSourceStatus;
import io.slotkeeper.cluster.ShardedSourcesStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The cluster view's routes, without a cluster: token guard, readiness, metrics, failures. */
class ClusterStatusServerTest {
  private static final String NODE = "pekko://slotkeeper@10.0.0.1:7355";

  private static ClusterStatusServer.Probe probe(
      boolean up, CompletionStage<ShardedSourcesStatus> sources) {
    return new ClusterStatusServer.Probe() {
      @Override
      public String node() {
        return NODE;
      }

      @Override
      public boolean up() {
        return up;
      }

      @Override
      public boolean live() {
        return true;
      }

      @Override
      public List<ClusterStatusJson.Member> members() {
        return List.of(new ClusterStatusJson.Member(NODE, "Up"));
      }

      @Override
      public CompletionStage<ShardedSourcesStatus> sources() {
        return sources;
      }
    };
  }

  private static final ShardedSourcesStatus TWO =
      new ShardedSourcesStatus(
          List.of(
              new ClusterSourceStatus(
                  "orders",
                  "orders_slot",
                  NODE,
                  StatusLevel.ACTIVE,
                  "",
                  Instant.EPOCH,
                  Lsn.of(0x100),
                  Lsn.of(0x180),
                  0x80,
                  0,
                  0,
                  0,
                  0,
                  ""),
              new ClusterSourceStatus(
                  "billing",
                  "billing_slot",
                  NODE,
                  StatusLevel.STARTING,
                  "connecting",
                  Instant.EPOCH,
                  Lsn.INVALID,
                  Lsn.INVALID,
                  0,
                  0,
                  0,
                  0,
                  0,
                  "")),
          List.of("late"));

  private static HttpTransport.Response get(
      String path, ClusterStatusServer.Probe probe, Optional<HttpToken> token, String auth) {
    Map<String, String> headers = auth == null ? Map.of() : Map.of("authorization", auth);
    return ClusterStatusServer.route(new HttpTransport.Request("GET", path, headers), probe, token);
  }

  private static Optional<HttpToken> token(String t) {
    Io io =
        new Io(
            new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(new ByteArrayOutputStream()),
            Map.of(HttpToken.ENV, t),
            false);
    return HttpToken.load(io, null);
  }

  @Test
  void statusAndMetricsNeedTheTokenThePageAndProbesDoNot() {
    ClusterStatusServer.Probe p = probe(true, CompletableFuture.completedFuture(TWO));
    Optional<HttpToken> token = token("tok-1");
    assertThat(get("/status", p, token, null).code()).isEqualTo(401);
    assertThat(get("/metrics", p, token, "Bearer wrong").code()).isEqualTo(401);
    assertThat(get("/status", p, token, "Bearer tok-1").code()).isEqualTo(200);
    HttpTransport.Response page = get("/", p, token, null);
    assertThat(page.code()).isEqualTo(200);
    assertThat(page.body()).contains("Slotkeeper cluster");
    assertThat(page.headers()).containsKey("Content-Security-Policy");
    assertThat(get("/ready", p, token, null).code()).isEqualTo(200);
    assertThat(get("/live", p, token, null).code()).isEqualTo(200);
    assertThat(get("/nope", p, token, null).code()).isEqualTo(404);
  }

  @Test
  void readyOnlyWhileThisNodeIsUp() {
    HttpTransport.Response r =
        get("/ready", probe(false, CompletableFuture.completedFuture(TWO)), Optional.empty(), null);
    assertThat(r.code()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("NOT UP\n");
  }

  @Test
  void metricsPerLevelAndPerSource() {
    String m =
        get("/metrics", probe(true, CompletableFuture.completedFuture(TWO)), Optional.empty(), null)
            .body();
    assertThat(m)
        .contains("slotkeeper_cluster_sources{level=\"ACTIVE\"} 1\n")
        .contains("slotkeeper_cluster_sources{level=\"STARTING\"} 1\n")
        .contains("slotkeeper_cluster_sources{level=\"FAILED\"} 0\n")
        .contains("slotkeeper_cluster_sources_unanswered 1\n")
        .contains(
            "slotkeeper_cluster_source_status{source=\"orders\",node=\""
                + NODE
                + "\",level=\"ACTIVE\"} 1\n")
        .contains(
            "slotkeeper_cluster_source_status{source=\"orders\",node=\""
                + NODE
                + "\",level=\"STARTING\"} 0\n")
        .contains(
            "slotkeeper_cluster_source_confirmed_lsn{source=\"orders\",node=\""
                + NODE
                + "\"} 256\n")
        .contains(
            "slotkeeper_cluster_source_received_lsn{source=\"orders\",node=\"" + NODE + "\"} 384\n")
        .contains(
            "slotkeeper_cluster_source_lag_bytes{source=\"orders\",node=\"" + NODE + "\"} 128\n");
  }

  @Test
  void aClusterThatCannotAnswerIs503WithWhy() {
    HttpTransport.Response r =
        get(
            "/status",
            probe(
                true,
                CompletableFuture.failedFuture(
                    new IllegalStateException("no majority\nof nodes answered"))),
            Optional.empty(),
            null);
    assertThat(r.code()).isEqualTo(503);
    assertThat(r.body())
        .isEqualTo("the cluster's sources could not be read: no majority of nodes answered\n");
  }
}
