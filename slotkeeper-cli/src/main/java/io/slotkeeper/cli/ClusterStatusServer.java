package io.slotkeeper.cli;

import io.slotkeeper.StatusLevel;
import io.slotkeeper.cluster.ClusterSourceStatus;
import io.slotkeeper.cluster.ShardedSourcesStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The HTTP endpoint of {@code slotkeeper cluster}, on the same {@link HttpTransport}, {@link
 * HttpToken}, {@link HttpLimits} and TLS as {@code stream}'s {@link HttpStatusServer}, but showing
 * the whole cluster: every node answers for every source.
 *
 * <ul>
 *   <li>{@code GET /}: the cluster page ({@code cluster.html} via {@link StatusPage}); no data of
 *       its own, so served without the token.
 *   <li>{@code GET /status}: {@link ClusterStatusJson}: per source its node, level, reason,
 *       confirmed and received LSN and lag, a summary per level, the members.
 *   <li>{@code GET /metrics}: Prometheus text, per source and per level.
 *   <li>{@code GET /ready}: 200 while this node is an Up member of the cluster, 503 otherwise.
 *   <li>{@code GET /live}: 200 while the actor system runs.
 * </ul>
 */
final class ClusterStatusServer implements AutoCloseable {

  /** What the endpoints report; read on the server's threads. */
  interface Probe {
    /** This node's address. */
    String node();

    /** True while this node is an Up member. */
    boolean up();

    /** True while the actor system runs. */
    boolean live();

    List<ClusterStatusJson.Member> members();

    /** Every registered source's status, asked across the cluster. */
    CompletionStage<ShardedSourcesStatus> sources();
  }

  /**
   * Longer than the per-source status timeout (5 s by default, asked in parallel) plus the
   * registry's read (5 s): the answer names the sources that did not answer rather than timing out.
   */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(15);

  private static final Set<String> GUARDED = Set.of("/status", "/metrics");

  private final HttpTransport transport;

  private ClusterStatusServer(HttpTransport transport) {
    this.transport = transport;
  }

  static ClusterStatusServer start(
      InetSocketAddress address,
      Probe probe,
      Optional<HttpToken> token,
      HttpLimits limits,
      SSLContext tls) {
    return new ClusterStatusServer(
        StatusRoutes.listen(address, limits, tls, req -> route(req, probe, token)));
  }

  static HttpTransport.Response route(
      HttpTransport.Request req, Probe probe, Optional<HttpToken> token) {
    HttpTransport.Response refused = StatusRoutes.refused(req, GUARDED, token);
    if (refused != null) {
      return refused;
    }
    String path = req.path();
    return switch (path) {
      case "/", "/index.html" -> StatusPage.clusterResponse();
      case "/status", "/metrics" -> {
        ShardedSourcesStatus s;
        try {
          s =
              probe
                  .sources()
                  .toCompletableFuture()
                  .get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          yield HttpTransport.Response.text(503, "interrupted\n");
        } catch (Exception e) {
          // The registry could not be read (no majority reachable, this node not yet joined).
          yield HttpTransport.Response.text(
              503,
              "the cluster's sources could not be read: "
                  + Cli.oneLine(String.valueOf(Cli.unwrap(e).getMessage()))
                  + "\n");
        }
        yield path.equals("/status")
            ? new HttpTransport.Response(
                200,
                "application/json",
                Json.write(ClusterStatusJson.json(probe.node(), probe.members(), s)) + "\n",
                Map.of())
            : new HttpTransport.Response(
                200, "text/plain; version=0.0.4; charset=utf-8", metrics(s), Map.of());
      }
      case "/ready" -> {
        boolean up = probe.up();
        yield HttpTransport.Response.text(up ? 200 : 503, up ? "UP\n" : "NOT UP\n");
      }
      case "/live" -> StatusRoutes.live(probe.live());
      default -> StatusRoutes.notFound();
    };
  }

  /** Per level, and per source its level, positions and lag, labelled with its id and node. */
  static String metrics(ShardedSourcesStatus s) {
    StringBuilder sb = new StringBuilder(1024);
    sb.append("# HELP slotkeeper_cluster_sources Registered sources at each level.\n")
        .append("# TYPE slotkeeper_cluster_sources gauge\n");
    s.byLevel()
        .forEach(
            (level, n) ->
                sb.append("slotkeeper_cluster_sources{level=\"")
                    .append(level.name())
                    .append("\"} ")
                    .append(n)
                    .append('\n'));
    sb.append(
            "# HELP slotkeeper_cluster_sources_unanswered Registered sources that did not answer"
                + " in time.\n")
        .append("# TYPE slotkeeper_cluster_sources_unanswered gauge\n")
        .append("slotkeeper_cluster_sources_unanswered ")
        .append(s.unanswered().size())
        .append('\n');
    sb.append("# HELP slotkeeper_cluster_source_status A source's level (1 for its current one).\n")
        .append("# TYPE slotkeeper_cluster_source_status gauge\n");
    for (ClusterSourceStatus c : s.sources()) {
      for (StatusLevel l : StatusLevel.values()) {
        sb.append("slotkeeper_cluster_source_status{")
            .append(labels(c))
            .append(",level=\"")
            .append(l.name())
            .append("\"} ")
            .append(l == c.level() ? 1 : 0)
            .append('\n');
      }
    }
    perSource(
        sb,
        s,
        "slotkeeper_cluster_source_confirmed_lsn",
        "WAL position the source's slot may be confirmed to.",
        c -> Long.toUnsignedString(c.confirmedLsn().value()));
    perSource(
        sb,
        s,
        "slotkeeper_cluster_source_received_lsn",
        "Furthest WAL position the source received.",
        c -> Long.toUnsignedString(c.receivedLsn().value()));
    perSource(
        sb,
        s,
        "slotkeeper_cluster_source_lag_bytes",
        "Bytes between the source's received and confirmed positions.",
        c -> Long.toString(c.lagBytes()));
    return sb.toString();
  }

  private static void perSource(
      StringBuilder sb,
      ShardedSourcesStatus s,
      String name,
      String help,
      java.util.function.Function<ClusterSourceStatus, String> value) {
    sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
    sb.append("# TYPE ").append(name).append(" gauge\n");
    for (ClusterSourceStatus c : s.sources()) {
      sb.append(name)
          .append('{')
          .append(labels(c))
          .append("} ")
          .append(value.apply(c))
          .append('\n');
    }
  }

  private static String labels(ClusterSourceStatus c) {
    return "source=\"" + escape(c.singletonName()) + "\",node=\"" + escape(c.node()) + "\"";
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  InetSocketAddress address() {
    return transport.address();
  }

  @Override
  public void close() {
    transport.close();
  }
}
