package io.slotkeeper.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * PostgreSQL's client programs installed on this machine, for tests and benchmarks that compare
 * with them (the embedded binaries hold only initdb, pg_ctl and postgres). Debian's client packages
 * put them in {@code /usr/lib/postgresql/N/bin}.
 */
public final class ClientTools {
  private ClientTools() {}

  /**
   * A {@code pg_receivewal} that can stream from a server of {@code serverMajor} (it refuses newer
   * servers): {@code SLOTKEEPER_PG_RECEIVEWAL} when set, else the installed one of the lowest major
   * version at least the server's.
   */
  public static Optional<Path> pgReceivewal(int serverMajor) {
    String env = System.getenv("SLOTKEEPER_PG_RECEIVEWAL");
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
          .filter(v -> Integer.parseInt(v.getFileName().toString()) >= serverMajor)
          .sorted(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
          .map(v -> v.resolve("bin/pg_receivewal"))
          .filter(Files::isExecutable)
          .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
