package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.WalArchiver;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14: {@code --synchronous} with a settable {@code application_name} makes the archiver a
 * synchronous standby. With {@code synchronous_standby_names} naming it, a commit ({@code
 * synchronous_commit = on}) returns once the archiver has fsynced it, and while the archiver is
 * stopped the commit waits for it: here until the client cancels the wait, which PostgreSQL reports
 * as a warning (the commit itself is already local). Run without {@code --synchronous} (flush
 * reports only on the 30 s timer or a keepalive's reply), the first commit took 14.9 s.
 */
class ArchiveSyncStandbyIT extends ArchiveFixtures {
  private static final String NAME = "slotkeeper_sync_archive";
  private static final boolean SYNCHRONOUS = true;

  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(17)
          .walSegmentSizeMb(1)
          .setting("synchronous_standby_names", NAME)
          .build();

  @Override
  PostgresServer pg() {
    return PG.server();
  }

  /**
   * Runs an INSERT (autocommit) that the client cancels after {@code seconds}; returns the warning
   * it gave (null: none). statement_timeout would not do: PostgreSQL disables it before the commit
   * (finish_xact_command), so it never ends a wait for synchronous replication, while a cancel
   * request does, with a warning.
   */
  private String insert(int seconds) throws Exception {
    try (Connection c = pg().connect();
        Statement st = c.createStatement()) {
      st.execute("SET synchronous_commit = on");
      st.setQueryTimeout(seconds);
      st.execute("INSERT INTO sync_t VALUES (default)");
      SQLWarning w = st.getWarnings();
      return w == null ? null : w.getMessage();
    }
  }

  @Test
  void aCommitWaitsForTheSynchronousArchiverAndOnlyForIt() throws Exception {
    try (Connection c = pg().connect();
        Statement st = c.createStatement()) {
      // No synchronous standby yet: this commit must not wait for one.
      st.execute("SET synchronous_commit = local");
      st.execute("CREATE TABLE IF NOT EXISTS sync_t (id bigserial PRIMARY KEY)");
    }
    Path dir = temp.resolve("sync");
    // Flush reports on the timer only every 30 s: without --synchronous a commit would wait for
    // one (or for a keepalive's reply) far longer than the 5 s it is given below.
    ArchiveSettings base = settings("arch_sync", dir);
    ArchiveControl control =
        WalArchiver.start(
            kit.system(),
            base.withSource(base.source().withAckFlushInterval(Duration.ofSeconds(30)))
                .withCreateSlot(true)
                .withSynchronous(SYNCHRONOUS)
                .withApplicationName(NAME));
    awaitLevel(control, StatusLevel.ACTIVE);
    Harness.await(
        "the archiver to be the synchronous standby",
        WAIT,
        () ->
            "sync"
                .equals(
                    pg().queryString(
                            "SELECT sync_state FROM pg_stat_replication WHERE application_name = '"
                                + NAME
                                + "'")));
    for (int i = 0; i < 20; i++) {
      long t0 = System.nanoTime();
      String w = insert(5);
      assertThat(w).as("commit %d was not held back by the synchronous archiver", i).isNull();
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    }
    shutdown(control);

    long t0 = System.nanoTime();
    String w = insert(2);
    long waitedMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(w).as("with the archiver stopped the commit waits for it").isNotNull();
    assertThat(w).contains("synchronous replication");
    assertThat(waitedMs).isGreaterThanOrEqualTo(1_900);
  }
}
