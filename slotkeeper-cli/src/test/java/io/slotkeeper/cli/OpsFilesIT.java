package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shipped Grafana dashboard and Prometheus alert rules (ops/) use only metrics, and label
 * values, that the program's real /metrics output has.
 */
class OpsFilesIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final Path OPS = Path.of("..", "ops");
  private static final Pattern METRIC = Pattern.compile("\\bslotkeeper_[a-z_]+\\b");
  private static final Pattern LABEL_MATCH =
      Pattern.compile("(level|status)\\s*=~?\\s*\\\\?\"([^\"\\\\]+)\\\\?\"");

  @Test
  void everyMetricTheDashboardAndTheAlertsUseIsServed() throws Exception {
    String dashboard = Files.readString(OPS.resolve("grafana/slotkeeper-dashboard.json"));
    String alerts = Files.readString(OPS.resolve("prometheus/slotkeeper-alerts.yml"));
    // The dashboard is JSON Grafana can import: panels with Prometheus targets.
    @SuppressWarnings("unchecked")
    Map<String, Object> json = (Map<String, Object>) TestJson.parse(dashboard);
    assertThat(json).containsKeys("title", "panels", "templating");
    assertThat((List<?>) json.get("panels")).hasSizeGreaterThan(8);
    // The rules file: every rule has an alert name and an expression.
    long rules = alerts.lines().filter(l -> l.trim().startsWith("- alert:")).count();
    assertThat(rules).isEqualTo(4);
    assertThat(alerts.lines().filter(l -> l.trim().startsWith("expr:")).count()).isEqualTo(rules);

    String metrics = runningProgramMetrics();
    Set<String> served = new TreeSet<>();
    for (String line : metrics.lines().toList()) {
      if (line.startsWith("# TYPE ")) {
        served.add(line.split(" ")[2]);
      }
    }
    for (Map.Entry<String, String> file :
        Map.of("dashboard", dashboard, "alerts", alerts).entrySet()) {
      Set<String> used = new TreeSet<>();
      Matcher m = METRIC.matcher(file.getValue());
      while (m.find()) {
        used.add(m.group());
      }
      assertThat(used).as(file.getKey() + " uses metrics").hasSizeGreaterThan(3);
      assertThat(served).as(file.getKey() + ": metrics not in /metrics").containsAll(used);
      // Label values the files match on exist too (a regex alternative counts one by one).
      Matcher l = LABEL_MATCH.matcher(file.getValue());
      while (l.find()) {
        for (String value : l.group(2).split("\\|")) {
          if (!value.equals("$slot") && !value.equals(".*")) {
            assertThat(metrics)
                .as(file.getKey() + ": label " + l.group(1) + "=" + value)
                .contains(l.group(1) + "=\"" + value + "\"");
          }
        }
      }
    }
  }

  private static String runningProgramMetrics() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE o (id int PRIMARY KEY)");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun.Background b =
        new CliRun.Background(
            Map.of("PGPASSWORD", pg.superuserPassword()),
            "stream",
            "--url",
            pg.jdbcUrl(),
            "--user",
            pg.superuser(),
            "--slot",
            "o_slot",
            "--publication",
            "o_pub",
            "--create-slot",
            "--create-publication",
            "--table",
            "public.o",
            "--http",
            String.valueOf(port));
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      URI uri = URI.create("http://127.0.0.1:" + port + "/metrics");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          HttpResponse<String> r =
              http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
          // Wait for the first retention read, so wal_status has its value.
          if (r.statusCode() == 200
              && r.body().contains("level=\"ACTIVE\"} 1")
              && r.body().contains("status=\"reserved\"} 1")) {
            return r.body();
          }
        } catch (java.io.IOException e) {
          // not listening yet
        }
        if (b.exit.isDone() || System.nanoTime() > deadline) {
          throw new AssertionError("no ACTIVE /metrics with wal_status; stderr: " + b.err());
        }
        Thread.sleep(200);
      }
    } finally {
      b.cli.requestStop("test");
      b.exit.get(30, TimeUnit.SECONDS);
    }
  }
}
