package io.slotkeeper.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * PostgreSQL's own {@code pg_recvlogical} writing the slot's pgoutput messages to stdout, a pipe
 * this JVM drains and counts ({@link PgOutputLines}): the C client users compare with. Same options
 * as the thin loop (protocol 1, the publication, text values); it confirms what it wrote every 10 s
 * (its default status interval) and at exit.
 */
final class PgRecvlogicalContender implements Contender {
  private final Path binary;

  PgRecvlogicalContender(Path binary) {
    this.binary = binary;
  }

  /**
   * {@code SLOTKEEPER_PG_RECVLOGICAL} when set, else the newest installed one (the logical
   * replication protocol is the same from 10 on, so an older client reads a newer server).
   */
  static Optional<Path> installed() {
    return clientTool("pg_recvlogical");
  }

  /**
   * A PostgreSQL client program: {@code SLOTKEEPER_<NAME>} (upper case) when set, else the newest
   * installed {@code /usr/lib/postgresql/N/bin/<name>}.
   */
  static Optional<Path> clientTool(String name) {
    String env = System.getenv("SLOTKEEPER_" + name.toUpperCase(java.util.Locale.ROOT));
    if (env != null && !env.isEmpty()) {
      return Optional.of(Path.of(env));
    }
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .filter(v -> v.getFileName().toString().matches("\\d+"))
          .sorted(Comparator.comparingInt(v -> -Integer.parseInt(v.getFileName().toString())))
          .map(v -> v.resolve("bin/" + name))
          .filter(Files::isExecutable)
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public String name() {
    return "pg_recvlogical";
  }

  @Override
  public Running start(
      BenchDb db, String slot, String publication, Listener listener, boolean stallable)
      throws Exception {
    return new ChildProcess(
        name() + "-" + slot,
        List.of(
            binary.toString(),
            "-d",
            "host=" + db.pg.host() + " port=" + db.pg.port() + " user=" + db.pg.superuser(),
            "--slot=" + slot,
            "--start",
            "--no-loop",
            "-o",
            "proto_version=1",
            "-o",
            "publication_names=" + publication,
            "-f",
            "-"),
        Map.of("PGPASSWORD", db.pg.superuserPassword()),
        new PgOutputLines(listener));
  }
}
