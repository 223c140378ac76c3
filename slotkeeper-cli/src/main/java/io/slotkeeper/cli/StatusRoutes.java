package io.slotkeeper.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * What the HTTP endpoints of {@code stream} ({@link HttpStatusServer}) and {@code cluster} ({@link
 * ClusterStatusServer}) share: listening on the {@code --http} address, the bearer token on the
 * paths that carry data, and the answers both give alike ({@code /live}, an unknown path).
 */
final class StatusRoutes {

  private StatusRoutes() {}

  /**
   * Serves {@code handler} on {@code address} (HTTPS with {@code tls}, plain HTTP with null); a
   * runtime error naming the address when it cannot listen there.
   */
  static HttpTransport listen(
      InetSocketAddress address, HttpLimits limits, SSLContext tls, HttpTransport.Handler handler) {
    try {
      return HttpTransport.start(address, limits, tls, handler);
    } catch (IOException e) {
      throw CliException.runtime(
          "cannot serve HTTP on "
              + address.getHostString()
              + ":"
              + address.getPort()
              + ": "
              + e.getMessage(),
          "choose a free port (or another address) for --http");
    }
  }

  /**
   * The 401 for a request to one of the {@code guarded} paths without the token, when one is set;
   * null when the request may be answered.
   */
  static HttpTransport.Response refused(
      HttpTransport.Request req, Set<String> guarded, Optional<HttpToken> token) {
    String path = req.path();
    if (guarded.contains(path)
        && token.isPresent()
        && !token.get().accepts(req.header("authorization"))) {
      return HttpTransport.Response.text(401, "a bearer token is required for " + path + "\n")
          .withHeader("WWW-Authenticate", "Bearer realm=\"slotkeeper\"");
    }
    return null;
  }

  /** {@code GET /live}: 200 while the actor system runs, 503 once it has terminated. */
  static HttpTransport.Response live(boolean live) {
    return HttpTransport.Response.text(live ? 200 : 503, live ? "LIVE\n" : "TERMINATED\n");
  }

  /** Any other path. */
  static HttpTransport.Response notFound() {
    return HttpTransport.Response.text(
        404, "not found; try /, /status, /metrics, /ready or /live\n");
  }
}
