package io.slotkeeper.postgres;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the PostgreSQL tools as short-lived child processes and captures what they print. */
final class Commands {

  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  private Commands() {}

  /**
   * Runs a command to completion. Output goes to a file rather than a pipe: pg_ctl leaves a
   * daemonized postmaster behind, and should anything in that chain keep an inherited pipe open,
   * reading a pipe to EOF would hang until the server stops.
   */
  static Result run(List<String> command, Map<String, String> env, Path workDir, Duration timeout) {
    Path out = null;
    try {
      out = Files.createTempFile("slotkeeper-cmd-", ".out");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      if (workDir != null) {
        pb.directory(workDir.toFile());
      }
      Map<String, String> environment = pb.environment();
      // A developer's PGDATA, PGPORT, PGHOST... must not leak into the tools we run.
      environment.keySet().removeIf(k -> k.startsWith("PG"));
      environment.putAll(env);
      Process p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(-1, read(out) + "\n[timed out after " + timeout.toSeconds() + " s]");
      }
      return new Result(p.exitValue(), read(out));
    } catch (IOException e) {
      throw new PostgresServerException("could not run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PostgresServerException("interrupted while running " + command, e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a leftover temp file of a few bytes is not worth failing for
        }
      }
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8).strip();
  }
}
