package io.slotkeeper.cli;

import io.slotkeeper.postgres.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What the tests of the program's HTTP server share: the stream to run, a port, requests. */
final class CliHttp {
  private CliHttp() {}

  /** {@code stream} on {@code pg} creating its slot and a publication of {@code table}. */
  static String[] streamArgs(
      PostgresServer pg, String slot, String pub, String table, String... more) {
    List<String> a = new ArrayList<>(List.of("--create-slot", "--create-publication", "--table"));
    a.add(table);
    a.addAll(List.of(more));
    return existingSlotArgs(pg, slot, pub, a.toArray(String[]::new));
  }

  /** {@code stream} on {@code pg} reading the slot and publication that exist there. */
  static String[] existingSlotArgs(PostgresServer pg, String slot, String pub, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "stream",
                "--url",
                pg.jdbcUrl(),
                "--user",
                pg.superuser(),
                "--slot",
                slot,
                "--publication",
                pub));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A GET, with an {@code Authorization} header unless null. */
  static HttpResponse<String> send(HttpClient http, String url, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      r.header("Authorization", authorization);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * {@link #send}, with I/O failures unchecked (for conditions polled until the server answers).
   */
  static HttpResponse<String> get(HttpClient http, String url, String authorization) {
    try {
      return send(http, url, authorization);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits for a condition the program (or programs) reach on their own; fails with their stderr if
   * one exited.
   */
  static void await(BooleanSupplier condition, CliRun.Background... programs)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      for (CliRun.Background b : programs) {
        if (b.exit.isDone()) {
          throw new AssertionError("the program exited: " + b.err());
        }
      }
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException notYet) {
        last = notYet; // not serving yet
      }
      Thread.sleep(200);
    }
    StringBuilder err = new StringBuilder();
    for (CliRun.Background b : programs) {
      err.append("\n--- stderr\n").append(b.err());
    }
    throw new AssertionError("condition not reached in 60 s" + err, last);
  }
}
