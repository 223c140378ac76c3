package io.slotkeeper.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A base backup through PostgreSQL's low-level API, for servers whose binaries have no
 * pg_basebackup: start the backup, copy the files ({@link DataDirectoryCopy}), stop it, and write
 * the backup_label (and tablespace_map) the stop call returns into the copy.
 *
 * <p>Both calls run on one ordinary connection that stays open across the copy: the backup is
 * non-exclusive, owned by that session, and aborted if it ends. PostgreSQL 15 renamed the functions
 * ({@code pg_backup_start}/{@code pg_backup_stop}) and dropped exclusive backups; 13 and 14 take
 * {@code pg_start_backup(label, fast, exclusive => false)} and {@code pg_stop_backup(exclusive =>
 * false, wait_for_archive)}.
 */
final class BaseBackup {

  private BaseBackup() {}

  /**
   * Backs up {@code source} into the empty directory {@code target}; returns the backup's end LSN,
   * the point a standby made from it becomes consistent.
   */
  static String take(PostgresServer source, Path sourceData, Path target, String label) {
    boolean renamed = source.version() >= 15;
    try (Connection c = source.connect()) {
      try (PreparedStatement start =
          c.prepareStatement(
              renamed
                  ? "SELECT pg_backup_start(?, true)"
                  : "SELECT pg_start_backup(?, true, false)")) {
        start.setString(1, label);
        start.execute();
      }
      try {
        DataDirectoryCopy.copy(sourceData, target);
      } catch (IOException e) {
        throw new PostgresServerException("could not copy " + sourceData + ": " + e, e);
      }
      // wait_for_archive = true: with archiving off the server only notes that it is off.
      String stop =
          renamed
              ? "SELECT lsn::text, labelfile, spcmapfile FROM pg_backup_stop(true)"
              : "SELECT lsn::text, labelfile, spcmapfile FROM pg_stop_backup(false, true)";
      try (PreparedStatement ps = c.prepareStatement(stop);
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        String lsn = rs.getString(1);
        write(target.resolve("backup_label"), rs.getString(2));
        String spcmap = rs.getString(3);
        if (spcmap != null && !spcmap.isEmpty()) {
          write(target.resolve("tablespace_map"), spcmap);
        }
        return lsn;
      }
    } catch (SQLException e) {
      throw new PostgresServerException(
          "base backup of " + source + " failed: " + e.getMessage(), e);
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PostgresServerException("could not write " + file + ": " + e, e);
    }
  }
}
