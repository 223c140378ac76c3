package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The status server cannot be used to exhaust the process: large, slow, body-carrying and too
 * frequent requests are refused within bounded threads. The probe is a constant: what is tested is
 * the HTTP handling in front of it (the endpoints against a real source: CliHttpSecurityIT).
 */
class HttpLimitsTest {
  private static final HttpLimits SMALL =
      new HttpLimits(1024, Duration.ofMillis(800), 2, 2, 1000, 1000);

  private HttpStatusServer server;
  private final List<Socket> held = new ArrayList<>();

  @AfterEach
  void close() throws IOException {
    for (Socket s : held) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static HttpStatusServer.Probe probe(boolean live) {
    return new HttpStatusServer.Probe() {
      @Override
      public String slot() {
        return "s";
      }

      @Override
      public boolean live() {
        return live;
      }

      @Override
      public SourceStatus status() {
        return new SourceStatus(StatusLevel.STARTING, "connecting", Instant.EPOCH, null);
      }

      @Override
      public SourceProgress progress() {
        return SourceProgress.none();
      }

      @Override
      public long rowsWritten() {
        return 0;
      }

      @Override
      public double rowsPerSecond() {
        return 0;
      }
    };
  }

  private HttpStatusServer start(HttpLimits limits) {
    server =
        HttpStatusServer.start(
            new InetSocketAddress("127.0.0.1", 0), probe(true), Optional.empty(), limits);
    return server;
  }

  /** Sends raw bytes and returns the status line of the answer. */
  private String raw(String request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(server.address(), 2000);
      s.setSoTimeout(5000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return statusLine(s.getInputStream());
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    return all.isEmpty() ? "" : all.substring(0, all.indexOf("\r\n"));
  }

  @Test
  void aHugeHeaderIsRefusedWith431() throws IOException {
    start(SMALL);
    assertThat(raw("GET /live HTTP/1.1\r\nX: " + "a".repeat(5000) + "\r\n\r\n"))
        .isEqualTo("HTTP/1.1 431 Request Header Fields Too Large");
    assertThat(raw("GET /live HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void aRequestWithABodyIsRefusedWith413AndNeverRead() throws IOException {
    start(SMALL);
    assertThat(raw("POST /status HTTP/1.1\r\nContent-Length: 100000000\r\n\r\nxx"))
        .isEqualTo("HTTP/1.1 413 Payload Too Large");
    assertThat(raw("GET /status HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"))
        .isEqualTo("HTTP/1.1 413 Payload Too Large");
    assertThat(raw("DELETE /status HTTP/1.1\r\n\r\n")).isEqualTo("HTTP/1.1 405 Method Not Allowed");
    assertThat(raw("garbage\r\n\r\n")).isEqualTo("HTTP/1.1 400 Bad Request");
  }

  @Test
  void slowClientsHoldAtMostTheWorkersForTheHeadTimeoutAndTheRestAreRefusedAtOnce()
      throws Exception {
    // A head timeout long enough that all the connections below are accepted before the first
    // worker gives up (else a freed queue slot takes a later one).
    HttpLimits limits = new HttpLimits(1024, Duration.ofSeconds(3), 2, 2, 1000, 1000);
    start(limits);
    // Slowloris: connections that send half a request line and then nothing.
    for (int i = 0; i < 30; i++) {
      Socket s = new Socket();
      s.connect(server.address(), 2000);
      s.setSoTimeout(5000);
      s.getOutputStream().write("GET /sta".getBytes(StandardCharsets.ISO_8859_1));
      held.add(s);
    }
    long threads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("slotkeeper-http"))
            .count();
    assertThat(threads).as("acceptor + workers").isLessThanOrEqualTo(1 + limits.workers());
    // Two held by the workers, two queued; the rest were answered 503 at once without being read
    // (or, when their bytes arrived after the answer was sent and the socket closed, reset by the
    // client's system: either way ended at once, long before the head timeout).
    long t1 = System.nanoTime();
    int answered503 = 0;
    for (Socket s : held.subList(limits.workers() + limits.queue(), held.size())) {
      String line;
      try {
        line = statusLine(s.getInputStream());
      } catch (java.net.SocketException reset) {
        line = "reset";
      }
      assertThat(line).isIn("HTTP/1.1 503 Service Unavailable", "reset");
      answered503 += line.startsWith("HTTP/1.1 503") ? 1 : 0;
    }
    assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(limits.headTimeout());
    assertThat(answered503).as("most refusals are answered").isGreaterThan(held.size() / 2);
    // The slow ones are cut off after the head timeout, and the server answers again.
    long t0 = System.nanoTime();
    assertThat(statusLine(held.get(0).getInputStream())).isEqualTo("HTTP/1.1 408 Request Timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isLessThan(limits.headTimeout().plusSeconds(2));
    Thread.sleep(3 * limits.headTimeout().toMillis());
    assertThat(raw("GET /live HTTP/1.1\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void oneClientOverTheRateGets429WithRetryAfterAndIsServedAgainLater() throws Exception {
    start(new HttpLimits(1024, Duration.ofSeconds(2), 2, 16, 5, 3));
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      answers.add(raw("GET /live HTTP/1.1\r\n\r\n"));
    }
    assertThat(answers.subList(0, 3)).containsOnly("HTTP/1.1 200 OK");
    assertThat(answers).contains("HTTP/1.1 429 Too Many Requests");
    Thread.sleep(1000);
    assertThat(raw("GET /live HTTP/1.1\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void liveSays503OnceTheActorSystemIsGone() throws IOException {
    server =
        HttpStatusServer.start(
            new InetSocketAddress("127.0.0.1", 0), probe(false), Optional.empty(), SMALL);
    assertThat(raw("GET /live HTTP/1.1\r\n\r\n")).isEqualTo("HTTP/1.1 503 Service Unavailable");
    assertThat(raw("HEAD /ready HTTP/1.1\r\n\r\n")).isEqualTo("HTTP/1.1 503 Service Unavailable");
  }

  @Test
  void responsesCloseTheConnection() throws IOException {
    start(SMALL);
    try (Socket s = new Socket()) {
      s.connect(server.address(), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write("GET /live HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all).contains("Connection: close\r\n").endsWith("LIVE\n");
    }
  }
}
