package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The program never shows the password: run at -vv (its most verbose) with a distinctive password
 * and sslpassword, through a wrong password, a missing publication, a walsender kill and a stop,
 * neither secret is in its output, its error output, its log lines, /status or /metrics.
 */
class CliSecretsIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final String PASSWORD = "Vb5-Marmot-Secret-2718";
  private static final String SSL_PASSWORD = "Tn8-Keypass-Secret-1618";
  private static final ConcurrentLinkedQueue<String> logs = new ConcurrentLinkedQueue<>();
  private static final AppenderBase<ILoggingEvent> CAPTURE =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
          logs.add(
              e.getFormattedMessage()
                  + (e.getThrowableProxy() == null
                      ? ""
                      : " " + ThrowableProxyUtil.asString(e.getThrowableProxy())));
        }
      };

  @BeforeAll
  static void setUp() {
    PostgresServer pg = PG.server();
    pg.createRole("cli_secret", PASSWORD, true);
    pg.execute("CREATE TABLE cs (id int PRIMARY KEY)");
    pg.execute("GRANT SELECT ON cs TO cli_secret");
    pg.execute("CREATE PUBLICATION cs_pub FOR TABLE cs");
    pg.execute("SELECT pg_create_logical_replication_slot('cs_slot', 'pgoutput')");
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    CAPTURE.setContext(ctx);
    CAPTURE.start();
    ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(CAPTURE);
  }

  @AfterAll
  static void tearDown() {
    ((LoggerContext) LoggerFactory.getILoggerFactory())
        .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)
        .detachAppender(CAPTURE);
  }

  private static String[] args(Path conf, String... more) {
    PostgresServer pg = PG.server();
    String[] base = {
      "-vv", "--config", conf.toString(), "--url", pg.jdbcUrl(), "--user", "cli_secret"
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(more, 0, all, 0, more.length);
    System.arraycopy(base, 0, all, more.length, base.length);
    return all;
  }

  @Test
  void neitherSecretAppearsAnywhereTheProgramWritesOrServes() throws Exception {
    Path conf = Files.createTempFile("secrets", ".conf");
    Files.writeString(
        conf,
        "slotkeeper.source.connection-properties { sslpassword = \"" + SSL_PASSWORD + "\" }\n");
    StringBuilder seen = new StringBuilder();

    // A wrong password (the secret's neighbour): the login fails.
    CliRun wrong =
        CliRun.run(
            Map.of("PGPASSWORD", PASSWORD + "-wrong"),
            args(conf, "stream", "--slot", "cs_slot", "--publication", "cs_pub"));
    assertThat(wrong.exitCode).as(wrong.toString()).isEqualTo(1);
    seen.append(wrong.out).append(wrong.err);

    // A publication that does not exist.
    CliRun noPub =
        CliRun.run(
            Map.of("PGPASSWORD", PASSWORD),
            args(conf, "stream", "--slot", "cs_slot", "--publication", "nope_pub"));
    assertThat(noPub.exitCode).as(noPub.toString()).isEqualTo(1);
    assertThat(noPub.err).contains("nope_pub");
    seen.append(noPub.out).append(noPub.err);

    // Streaming with the status server, through a walsender kill.
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    CliRun.Background b =
        new CliRun.Background(
            Map.of("PGPASSWORD", PASSWORD),
            args(
                conf,
                "stream",
                "--slot",
                "cs_slot",
                "--publication",
                "cs_pub",
                "--http",
                String.valueOf(port)));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String base = "http://127.0.0.1:" + port;
    try {
      await("ready", () -> get(http, base + "/ready").statusCode() == 200, b);
      PG.server().execute("INSERT INTO cs VALUES (1)");
      await("the row", () -> b.out.toString(StandardCharsets.UTF_8).contains("\"1\""), b);
      PG.server().terminateWalsender("cs_slot");
      await(
          "the reconnect",
          () ->
              get(http, base + "/metrics")
                  .body()
                  .contains("slotkeeper_reconnects_total{slot=\"cs_slot\"} 1"),
          b);
      for (String path : new String[] {"/status", "/metrics", "/ready", "/live"}) {
        seen.append(get(http, base + path).body());
      }
    } finally {
      b.cli.requestStop("test");
      assertThat(b.exit.get(30, TimeUnit.SECONDS)).as(b.err()).isZero();
    }
    seen.append(b.out.toString(StandardCharsets.UTF_8)).append(b.err());

    String logged = String.join("\n", logs);
    assertThat(logs).as("captured log lines at -vv").hasSizeGreaterThan(10);
    assertThat(logged).contains("cs_slot");
    for (String secret : new String[] {PASSWORD, SSL_PASSWORD}) {
      assertThat(seen.toString()).as("output, error output, HTTP").doesNotContain(secret);
      assertThat(logged).as("log lines").doesNotContain(secret);
    }
    Files.deleteIfExists(conf);
  }

  private static HttpResponse<String> get(HttpClient http, String url) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
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
