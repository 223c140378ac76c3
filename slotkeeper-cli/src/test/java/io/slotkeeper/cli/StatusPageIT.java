package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The status page at {@code /} of the program's HTTP server, rendered by a real headless Chromium
 * against a real stream: the level and reason, the slot's figures and a lag chart drawn from the
 * server's history, and, with a token configured, nothing until the token is given. The screenshot
 * lands in {@code target/status-page.png} for a person to look at.
 */
class StatusPageIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final String TOKEN = "tok-page-51c2e8";
  private static final Pattern POINTS =
      Pattern.compile(
          "id=\"lag-line\"[^>]*points=\"([^\"]*)\"|points=\"([^\"]*)\"[^>]*id=\"lag-line\"");

  @Test
  void thePageShowsTheLevelTheFiguresAndALagChart() throws Exception {
    Chromium chromium = Chromium.require();
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE page1 (id int PRIMARY KEY, v text)");
    int port = CliHttp.freePort();
    CliRun.Background b =
        new CliRun.Background(
            Map.of("PGPASSWORD", pg.superuserPassword()),
            CliHttp.streamArgs(
                PG.server(),
                "page1_slot",
                "page1_pub",
                "public.page1",
                "--http",
                String.valueOf(port)));
    String base = "http://127.0.0.1:" + port;
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      CliHttp.await(() -> CliHttp.get(http, base + "/ready", null).statusCode() == 200, b);
      pg.execute("INSERT INTO page1 SELECT g, 'v' || g FROM generate_series(1, 500) g");
      // The chart needs a few samples of the server-side history.
      CliHttp.await(
          () -> sampleCount(CliHttp.get(http, base + "/status/history", null).body()) >= 3, b);

      HttpResponse<String> page = CliHttp.get(http, base + "/", null);
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
      assertThat(page.headers().firstValue("content-security-policy")).isPresent();

      String dom = chromium.dumpDom(base + "/", 6000);
      assertThat(dom).contains("page1_slot");
      assertThat(dom).containsPattern("id=\"level\"[^>]*>ACTIVE<");
      assertThat(dom).contains("confirmed LSN", "retained WAL", "rows/s");
      String points = lagPoints(dom);
      assertThat(points.trim().split("\\s+")).as(points).hasSizeGreaterThanOrEqualTo(3);
      assertThat(dom).doesNotContain("id=\"auth\" class=\"card shown\"");

      chromium.screenshot(base + "/", Path.of("target", "status-page.png"), 6000);
    } finally {
      b.cli.requestStop("test");
      assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
    }
  }

  @Test
  void withATokenThePageShowsNothingUntilItIsGiven() throws Exception {
    Chromium chromium = Chromium.require();
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE page2 (id int PRIMARY KEY)");
    int port = CliHttp.freePort();
    CliRun.Background b =
        new CliRun.Background(
            Map.of("PGPASSWORD", pg.superuserPassword(), HttpToken.ENV, TOKEN),
            CliHttp.streamArgs(
                PG.server(),
                "page2_slot",
                "page2_pub",
                "public.page2",
                "--http",
                String.valueOf(port)));
    String base = "http://127.0.0.1:" + port;
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      CliHttp.await(() -> CliHttp.get(http, base + "/ready", null).statusCode() == 200, b);
      // The page itself holds no data, so it is served without the token ...
      assertThat(CliHttp.get(http, base + "/", null).statusCode()).isEqualTo(200);
      assertThat(CliHttp.get(http, base + "/status/history", null).statusCode()).isEqualTo(401);

      // ... and asks for it instead of showing anything.
      String locked = chromium.dumpDom(base + "/", 4000);
      assertThat(locked).contains("id=\"auth\" class=\"card shown\"");
      assertThat(locked).doesNotContain("page2_slot");

      // Given in the fragment (never sent to the server, so never in a log), it shows the status.
      String open = chromium.dumpDom(base + "/#token=" + TOKEN, 4000);
      assertThat(open).contains("page2_slot");
      assertThat(open).containsPattern("id=\"level\"[^>]*>ACTIVE<");
      assertThat(open).doesNotContain("id=\"auth\" class=\"card shown\"");
    } finally {
      b.cli.requestStop("test");
      assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
    }
  }

  private static String lagPoints(String dom) {
    Matcher m = POINTS.matcher(dom);
    assertThat(m.find()).as("a lag-line polyline with points in: " + dom).isTrue();
    return m.group(1) != null ? m.group(1) : m.group(2);
  }

  private static int sampleCount(String historyJson) {
    Object samples = ((Map<?, ?>) TestJson.parse(historyJson)).get("samples");
    return samples instanceof java.util.List<?> l ? l.size() : 0;
  }
}
