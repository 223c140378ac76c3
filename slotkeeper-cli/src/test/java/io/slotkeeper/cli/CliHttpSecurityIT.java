package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.testkit.PostgresExtension;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The program's HTTP status server against a real stream: loopback unless told otherwise, the
 * bearer token for /status and /metrics (from the environment or a file, never a flag value), open
 * /ready and /live for orchestrators, and one client's rate bounded.
 */
class CliHttpSecurityIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final String TOKEN = "tok-3f9a1c7e5b";

  @Test
  void theTokenGuardsStatusAndMetricsWhileTheProbesStayOpenAndABarePortIsLoopbackOnly()
      throws Exception {
    PG.server().execute("CREATE TABLE t1 (id int PRIMARY KEY)");
    int port = CliHttp.freePort();
    CliRun.Background b =
        new CliRun.Background(
            Map.of("PGPASSWORD", PG.server().superuserPassword(), HttpToken.ENV, TOKEN),
            CliHttp.streamArgs(
                PG.server(), "t1_slot", "t1_pub", "public.t1", "--http", String.valueOf(port)));
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String base = "http://127.0.0.1:" + port;
      await("ready", () -> get(http, base + "/ready", null).statusCode() == 200, b);
      // The probes need no token, and say nothing beyond the level.
      assertThat(get(http, base + "/ready", null).body()).isEqualTo("ACTIVE\n");
      HttpResponse<String> live = get(http, base + "/live", null);
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.body()).isEqualTo("LIVE\n");

      for (String path : List.of("/status", "/metrics")) {
        HttpResponse<String> none = get(http, base + path, null);
        assertThat(none.statusCode()).as(path).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate"))
            .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(none.body()).doesNotContain("t1_slot");
        assertThat(get(http, base + path, "Bearer wrong").statusCode()).as(path).isEqualTo(401);
        assertThat(get(http, base + path, "Basic " + TOKEN).statusCode()).as(path).isEqualTo(401);
        HttpResponse<String> ok = get(http, base + path, "Bearer " + TOKEN);
        assertThat(ok.statusCode()).as(path).isEqualTo(200);
        assertThat(ok.body()).contains("t1_slot");
      }

      // A bare port is loopback only: the machine's other addresses refuse the connection.
      Optional<InetAddress> external = externalAddress();
      if (external.isPresent()) {
        try (Socket s = new Socket()) {
          org.assertj.core.api.Assertions.assertThatThrownBy(
                  () -> s.connect(new InetSocketAddress(external.get(), port), 2000))
              .isInstanceOf(ConnectException.class);
        }
      }

      // One client asking far more often than a monitoring system would is told to slow down,
      // and is served again a moment later.
      List<Integer> codes = new ArrayList<>();
      for (int i = 0; i < 3 * HttpLimits.DEFAULT.burst(); i++) {
        codes.add(get(http, base + "/live", null).statusCode());
      }
      assertThat(codes).contains(429);
      Thread.sleep(
          (long) (1000 * HttpLimits.DEFAULT.burst() / HttpLimits.DEFAULT.requestsPerSecond()));
      assertThat(get(http, base + "/live", null).statusCode()).isEqualTo(200);
    } finally {
      b.cli.requestStop("test");
      assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
    }
    assertThat(b.err()).doesNotContain(TOKEN);
  }

  @Test
  void theTokenComesFromAFileToo_andAnEveryInterfaceServerWithoutOneIsWarnedAbout()
      throws Exception {
    PG.server().execute("CREATE TABLE t2 (id int PRIMARY KEY)");
    Path file = Files.createTempFile("token", ".txt");
    Files.writeString(file, TOKEN + "\n");
    int port = CliHttp.freePort();
    CliRun.Background b =
        new CliRun.Background(
            Map.of("PGPASSWORD", PG.server().superuserPassword()),
            CliHttp.streamArgs(
                PG.server(),
                "t2_slot",
                "t2_pub",
                "public.t2",
                "--http",
                "0.0.0.0:" + port,
                "--http-token-file",
                file.toString()));
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String base = "http://127.0.0.1:" + port;
      await("ready", () -> get(http, base + "/ready", null).statusCode() == 200, b);
      assertThat(get(http, base + "/metrics", null).statusCode()).isEqualTo(401);
      assertThat(get(http, base + "/metrics", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
      assertThat(b.err()).doesNotContain("serves /status and /metrics to anyone");
    } finally {
      b.cli.requestStop("test");
      assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
      Files.deleteIfExists(file);
    }

    CliRun open =
        CliRun.run(
            Map.of("PGPASSWORD", PG.server().superuserPassword()),
            CliHttp.streamArgs(
                PG.server(),
                "t2_slot",
                "t2_pub",
                "public.t2",
                "--http",
                "0.0.0.0:" + CliHttp.freePort(),
                "--end-lsn",
                PG.server().queryString("SELECT pg_current_wal_lsn()::text")));
    assertThat(open.exitCode).as(open.toString()).isZero();
    assertThat(open.err)
        .contains(
            "warning: --http 0.0.0.0:",
            "serves /status and /metrics to anyone who can reach it; set SLOTKEEPER_HTTP_TOKEN");

    CliRun empty =
        CliRun.run(
            Map.of("PGPASSWORD", PG.server().superuserPassword(), HttpToken.ENV, " "),
            CliHttp.streamArgs(
                PG.server(),
                "t2_slot",
                "t2_pub",
                "public.t2",
                "--http",
                String.valueOf(CliHttp.freePort())));
    assertThat(empty.exitCode).as(empty.toString()).isEqualTo(CliException.USAGE);
    assertThat(empty.errLines()).hasSize(1);
  }

  private static Optional<InetAddress> externalAddress() throws IOException {
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }

  private static HttpResponse<String> get(HttpClient http, String url, String authorization) {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
    if (authorization != null) {
      r.header("Authorization", authorization);
    }
    try {
      return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void await(String what, BooleanSupplier condition, CliRun.Background b)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (NullPointerException e) {
        // not listening yet
      }
      if (b.exit.isDone() || System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what + "; stderr: " + b.err());
      }
      Thread.sleep(100);
    }
  }
}
