package io.slotkeeper.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The status page at {@code /} (and the cluster view of {@code slotkeeper cluster}, built the same
 * way): one static HTML file with its style and script inline (no build step, nothing fetched from
 * elsewhere). The script reads {@code /status} and {@code /status/history} every few seconds and
 * renders them; all data goes into the page as text nodes, never as markup, so a reason that
 * contains markup cannot run. The page carries no data of its own, which is why it is served
 * without the token: with a token set, the page asks for it and sends it as a bearer header (taken
 * from the address's fragment, which browsers never send to the server).
 */
final class StatusPage {

  /**
   * Only this page's own inline script and style, requests only back to this server, no framing
   * (the page must not be embedded by another site to trick a reader).
   */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline';"
          + " connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none';"
          + " form-action 'none'";

  private static final String HTML = load("status.html");

  /** The cluster view of {@code slotkeeper cluster} ({@link ClusterStatusServer}). */
  private static final String CLUSTER_HTML = load("cluster.html");

  private StatusPage() {}

  static String html() {
    return HTML;
  }

  static HttpTransport.Response response() {
    return response(HTML);
  }

  static HttpTransport.Response clusterResponse() {
    return response(CLUSTER_HTML);
  }

  private static HttpTransport.Response response(String html) {
    return new HttpTransport.Response(200, "text/html; charset=utf-8", html, Map.of())
        .withHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .withHeader("X-Content-Type-Options", "nosniff")
        .withHeader("Referrer-Policy", "no-referrer");
  }

  private static String load(String resource) {
    try (InputStream in = StatusPage.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource + " next to StatusPage");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
