package io.slotkeeper.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * Debezium embedded (PostgreSQL connector, pgoutput, JSON values without schema) in a child JVM
 * with slotkeeper-bench-debezium's class path, writing one JSON line per change to stdout, a pipe
 * this JVM drains and counts: the engine users would pick instead. See {@code
 * io.slotkeeper.bench.debezium.DebeziumPeer} for its settings. JVM defaults, as for the program.
 */
final class DebeziumContender implements Contender {
  private final String classPath;

  DebeziumContender(String classPath) {
    this.classPath = classPath;
  }

  /** slotkeeper-bench-debezium's classes and copied dependencies (run.sh builds them). */
  static String builtClassPath() throws IOException {
    Path target =
        Paths.get("..", "slotkeeper-bench-debezium", "target").toAbsolutePath().normalize();
    if (!Files.isDirectory(target.resolve("lib"))) {
      throw new IOException("no " + target.resolve("lib") + ": build slotkeeper-bench-debezium");
    }
    return target.resolve("classes") + ":" + target.resolve("lib") + "/*";
  }

  @Override
  public String name() {
    return "debezium embedded";
  }

  @Override
  public Running start(
      BenchDb db, String slot, String publication, Listener listener, boolean stallable)
      throws Exception {
    return new ChildProcess(
        "debezium-" + slot,
        ChildProcess.javaCommand(
            "-cp",
            classPath,
            "io.slotkeeper.bench.debezium.DebeziumPeer",
            db.pg.host(),
            Integer.toString(db.pg.port()),
            "postgres",
            db.pg.superuser(),
            db.pg.superuserPassword(),
            slot,
            publication),
        Map.of(),
        new JsonLines(listener));
  }
}
