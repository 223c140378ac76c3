package io.slotkeeper.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The program as a user runs it: {@code bin/slotkeeper stream} (slotkeeper-cli's jar, JVM defaults,
 * the launcher's class-data-sharing archive, which the unmeasured warm-up run writes) writing JSON
 * Lines to stdout, a pipe this JVM drains and counts. It acknowledges a transaction once its lines
 * are flushed to the pipe. Values in text ({@code --binary=off}), as the thin loop and
 * pg_recvlogical get them.
 */
final class ProgramContender implements Contender {
  private final Path jar;

  ProgramContender(Path jar) {
    this.jar = jar;
  }

  /** The jar slotkeeper-cli's build leaves in its target (run.sh builds it). */
  static Path builtJar() throws IOException {
    Path target = Paths.get("..", "slotkeeper-cli", "target").toAbsolutePath().normalize();
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(p -> p.getFileName().toString().matches("slotkeeper-cli-[^-]+(-SNAPSHOT)?\\.jar"))
          .findFirst()
          .orElseThrow(() -> new IOException("no slotkeeper-cli jar in " + target + ": build it"));
    }
  }

  @Override
  public String name() {
    return "slotkeeper stream";
  }

  @Override
  public Running start(
      BenchDb db, String slot, String publication, Listener listener, boolean stallable)
      throws Exception {
    // slotkeeper-cli/target/the.jar -> the repository's bin/slotkeeper
    Path launcher =
        jar.toAbsolutePath().getParent().getParent().getParent().resolve("bin/slotkeeper");
    Map<String, String> env = new HashMap<>();
    env.put("PGPASSWORD", db.pg.superuserPassword());
    String opts = System.getenv("SLOTKEEPER_BENCH_CHILD_JAVA_OPTS");
    if (opts != null && !opts.isBlank()) {
      env.put("SLOTKEEPER_JAVA_OPTS", opts.trim());
    }
    return new ChildProcess(
        "program-" + slot,
        List.of(
            "bash",
            launcher.toString(),
            "stream",
            "--url",
            db.pg.jdbcUrl(),
            "--user",
            db.pg.superuser(),
            "--slot",
            slot,
            "--publication",
            publication,
            "--binary=off"),
        env,
        new JsonLines(listener));
  }
}
