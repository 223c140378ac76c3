package io.slotkeeper.postgres;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The file copy of a base backup: a running server's data directory, leaving out what pg_basebackup
 * leaves out ({@code basebackup.c}'s excludeDirContents and excludeFiles, 13-18).
 *
 * <p>The copy runs while the server writes; that is what the backup's WAL (streamed to the standby
 * from the slot made before the backup started) repairs. {@code global/pg_control} is copied last,
 * as pg_basebackup sends it last.
 */
final class DataDirectoryCopy {

  /** Directories whose contents a new server must not inherit (the directory itself is kept). */
  private static final Set<String> EMPTY_DIRS =
      Set.of(
          "pg_wal",
          "pg_replslot",
          "pg_stat_tmp",
          "pg_dynshmem",
          "pg_notify",
          "pg_serial",
          "pg_snapshots",
          "pg_subtrans");

  /** Top-level files that belong to the running server or to another backup. */
  private static final Set<String> SKIPPED_FILES =
      Set.of(
          "postmaster.pid",
          "postmaster.opts",
          "postgresql.auto.conf.tmp",
          "current_logfiles",
          "backup_label",
          "tablespace_map",
          "backup_manifest",
          "standby.signal",
          "recovery.signal");

  private static final Path PG_CONTROL = Path.of("global", "pg_control");

  private DataDirectoryCopy() {}

  /** Copies {@code source} into the existing, empty directory {@code target}. */
  static void copy(Path source, Path target) throws IOException {
    try (Stream<Path> tablespaces = Files.list(source.resolve("pg_tblspc"))) {
      if (tablespaces.findAny().isPresent()) {
        // A tablespace lives outside the data directory and would need its own copy plus a
        // tablespace_map pointing at it; no test server makes one.
        throw new PostgresServerException(
            "cannot build a standby of a server with tablespaces (" + source + "/pg_tblspc)");
      }
    }
    Files.walkFileTree(
        source,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Path relative = source.relativize(dir);
            Files.createDirectories(target.resolve(relative.toString()));
            if (relative.getNameCount() == 1 && EMPTY_DIRS.contains(relative.toString())) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            if (dir.getFileName().toString().startsWith("pgsql_tmp")) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Path relative = source.relativize(file);
            String name = file.getFileName().toString();
            boolean topLevel = relative.getNameCount() == 1;
            if ((topLevel && SKIPPED_FILES.contains(name))
                || name.startsWith("pg_internal.init")
                || relative.equals(PG_CONTROL)
                || !attrs.isRegularFile()) {
              return FileVisitResult.CONTINUE;
            }
            copyFile(file, target.resolve(relative.toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult
                  .CONTINUE; // removed by the server meanwhile (a dropped relation)
            }
            throw e;
          }
        });
    // The archive_status (and, from 17, summaries) folders the server expects under pg_wal.
    Files.createDirectories(target.resolve("pg_wal").resolve("archive_status"));
    copyFile(source.resolve(PG_CONTROL.toString()), target.resolve(PG_CONTROL.toString()));
  }

  private static void copyFile(Path from, Path to) throws IOException {
    try {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException gone) {
      // A file the server removed between listing and copying is not needed: replay recreates
      // or drops it.
    }
  }
}
