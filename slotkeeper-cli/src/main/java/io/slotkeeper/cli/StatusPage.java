package io.slotkeeper.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The status page at {@code /} (and the cluster view of {@code slotkeeper cluster}, built the same
 * way): one static HTML file with its style and script inline (no build step, nothing fetched from
 * elsewhere). The script reads {@code /status} and {@code /status/history} every few seconds and
 * renders them; all data goes into the page as text nodes, never as markup, so a reason that
 * contains markup cannot run. The page carries no data of its own, which is why it is served
 * without the token: with a token set, the page asks for it and sends it as a bearer header (taken
 * from the address's fragment, which browsers never send to the server).
 *
 * <p>What the two pages share (style, token handling, polling, the token prompt) is one resource,
 * {@code page-shared.html}, whose parts are put into each page where it says {@code <!-- shared:
 * NAME -->} when the page is loaded: inlined, not served from a route of its own, so each page is
 * still one file under its Content-Security-Policy (inline script and style only).
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

  /** A part of {@code page-shared.html}: its name's line, then its text up to the next part. */
  private static final Pattern PART = Pattern.compile("(?m)^<!-- part: (\\w+) -->\n");

  /** Where a page takes a shared part: a line of its own. */
  private static final Pattern SHARED = Pattern.compile("(?m)^[ \\t]*<!-- shared: (\\w+) -->\n");

  private static final Map<String, String> PARTS = parts(load("page-shared.html"));

  private static final String HTML = page("status.html");

  /** The cluster view of {@code slotkeeper cluster} ({@link ClusterStatusServer}). */
  private static final String CLUSTER_HTML = page("cluster.html");

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

  /** The page {@code resource} with the shared parts it names put in. */
  private static String page(String resource) {
    Matcher m = SHARED.matcher(load(resource));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String part = PARTS.get(m.group(1));
      if (part == null) {
        throw new IllegalStateException(
            resource + " names shared part " + m.group(1) + ", which page-shared.html lacks");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(part));
    }
    return m.appendTail(out).toString();
  }

  /** The parts of {@code page-shared.html} by name (what stands before the first is a comment). */
  private static Map<String, String> parts(String shared) {
    Map<String, String> parts = new LinkedHashMap<>();
    Matcher m = PART.matcher(shared);
    String name = null;
    int from = 0;
    while (m.find()) {
      if (name != null) {
        parts.put(name, shared.substring(from, m.start()));
      }
      name = m.group(1);
      from = m.end();
    }
    if (name != null) {
      parts.put(name, shared.substring(from));
    }
    return parts;
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
