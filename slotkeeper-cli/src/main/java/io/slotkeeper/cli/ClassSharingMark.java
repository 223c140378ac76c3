package io.slotkeeper.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells the launcher ({@code bin/slotkeeper}) that this run's class-data dump is worth keeping: the
 * launcher names a file in {@value #ENV} when the JVM dumps its classes at exit, and keeps the dump
 * as the archive for later starts only if the file exists. The program creates it when its first
 * source is ACTIVE, so the archive holds the classes of a start that reached streaming, not those
 * of a run that failed early (a config error, an unreachable server) or printed its help.
 */
final class ClassSharingMark {
  static final String ENV = "SLOTKEEPER_CDS_MARK";
  private static final AtomicBoolean MARKED = new AtomicBoolean();

  private ClassSharingMark() {}

  /** A source of this run is ACTIVE: mark the dump, once per run. */
  static void streaming() {
    if (MARKED.compareAndSet(false, true)) {
      mark(System.getenv(ENV));
    }
  }

  /**
   * Creates {@code path} (empty); nothing when it is null or empty. A mark that cannot be written
   * is only a missed archive: the launcher deletes the unmarked dump and a later run writes
   * another.
   */
  static void mark(String path) {
    if (path == null || path.isEmpty()) {
      return;
    }
    try {
      Files.write(Path.of(path), new byte[0]);
    } catch (IOException | InvalidPathException e) {
      // Not the user's concern: start-up stays as fast as without an archive.
    }
  }
}
