package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.WalArchiver;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14: the archive restores. A base backup of the primary, taken while the archiver runs, plus
 * the archive recover a fresh server through {@code restore_command = 'cp ARCHIVE/%f %p'} and
 * recovery.signal, to the end of the archive; its table then equals the primary's at the last
 * archived position. restore_command asks only for complete segment names, so the newest segment,
 * still {@code .partial}, is renamed first, as pg_receivewal's documentation tells its users to do
 * (the README says the same).
 */
class RestoreIT extends ArchiveFixtures {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().version(17).walSegmentSizeMb(1).build();

  @Override
  PostgresServer pg() {
    return PG.server();
  }

  private static String contents(PostgresServer on) {
    return on.queryString(
        "SELECT count(*) || ':' || coalesce(md5(string_agg(id || '=' || v, ',' ORDER BY id)), '')"
            + " FROM restore_t");
  }

  @Test
  void aBaseBackupPlusTheArchiveRecoversAFreshServerToTheLastArchivedPosition() throws Exception {
    // The server runs restore_command as its own OS account: the archive must be readable to it.
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dir = temp.resolve("archive");
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    PostgresServer primary = pg();
    primary.execute("CREATE TABLE restore_t (id int PRIMARY KEY, v text NOT NULL)");
    primary.execute("INSERT INTO restore_t SELECT g, 'a' || g FROM generate_series(1, 1000) g");
    ArchiveControl control =
        WalArchiver.start(kit.system(), settings("arch_restore", dir).withCreateSlot(true));
    awaitLevel(control, StatusLevel.ACTIVE);

    Path backup = temp.resolve("backup");
    primary.baseBackup(backup);

    primary.execute("INSERT INTO restore_t SELECT g, 'b' || g FROM generate_series(1001, 4000) g");
    primary.execute("UPDATE restore_t SET v = v || '+' WHERE id % 7 = 0");
    primary.execute("DELETE FROM restore_t WHERE id % 11 = 0");
    writeAndSwitch();
    // The last changes land in the segment still being written: they are in the .partial only.
    primary.execute("INSERT INTO restore_t SELECT g, 'c' || g FROM generate_series(4001, 4100) g");
    Lsn last = Lsn.parse(primary.queryString("SELECT pg_current_wal_lsn()::text"));
    awaitFlushed(control, last);
    shutdown(control);
    String expected = contents(primary);

    List<String> partial = partialSegments(dir);
    assertThat(partial).hasSize(1);
    Files.copy(
        dir.resolve(partial.get(0)),
        dir.resolve(partial.get(0).substring(0, 24)),
        StandardCopyOption.COPY_ATTRIBUTES);

    PostgresServer restored =
        primary.startRecovered(backup, Map.of("restore_command", "cp " + dir + "/%f %p"));
    try {
      Harness.await("the restored server to finish recovery", WAIT, () -> !restored.isInRecovery());
      assertThat(contents(restored)).isEqualTo(expected).startsWith("3737:");
      assertThat(restored.systemIdentifier()).isEqualTo(primary.systemIdentifier());
    } finally {
      restored.close();
    }
  }
}
