package io.slotkeeper.bench;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The benchmark's PostgreSQL: one embedded server shared by every end-to-end benchmark, with the
 * helpers they need. Both contenders always read from the same server, so its settings affect them
 * alike.
 */
final class BenchDb implements AutoCloseable {
  final PostgresServer pg;

  BenchDb(int version) {
    this.pg =
        PostgresServer.builder()
            .version(version)
            // The testkit's test defaults keep shared_buffers tiny; a benchmark writing millions of
            // rows
            // would then mostly measure buffer eviction. Fewer checkpoints for the same reason.
            .setting("shared_buffers", "256MB")
            .setting("max_wal_size", "8GB")
            .setting("checkpoint_timeout", "30min")
            // The statement log would otherwise record every START_REPLICATION of every run.
            .setting("log_replication_commands", "off")
            // The idle benchmark runs 100 sources at once: a walsender and an admin connection
            // each.
            .setting("max_replication_slots", "130")
            .setting("max_wal_senders", "130")
            .setting("max_connections", "300")
            .start();
  }

  /**
   * The engine's defaults (reference.conf), with what {@code -Dslotkeeper.source.*} on the bench's
   * command line overrides, so that a setting can be tried against the same run's baseline (the
   * actor system reads {@code -Dslotkeeper.*} the same way).
   */
  SourceSettings sourceSettings(String slot, String publication) {
    return SourceSettings.create(
            com.typesafe.config.ConfigFactory.load().getConfig(SourceSettings.CONFIG_PATH))
        .withUrl(pg.jdbcUrl())
        .withUser(pg.superuser())
        .withPassword(pg.superuserPassword())
        .withSlotName(slot)
        .withPublications(publication);
  }

  void execute(String sql) {
    pg.execute(sql);
  }

  /** A logical pgoutput slot; it sees every transaction that commits after this returns. */
  void createSlot(String slot) {
    pg.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
  }

  /**
   * Drops the slot once no walsender holds it: a reader that just disconnected leaves its walsender
   * running for a moment.
   */
  void dropSlot(String slot) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline
        && pg.queryLong(
                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '"
                    + slot
                    + "' AND active_pid IS NOT NULL")
            > 0) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    pg.execute(
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
            + slot
            + "'");
  }

  void dropAllSlots() {
    pg.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots");
  }

  String currentLsn() {
    return pg.queryString("SELECT pg_current_wal_lsn()::text");
  }

  String serverVersion() {
    return pg.queryString("SHOW server_version");
  }

  Connection connect() throws SQLException {
    Connection c = pg.connect();
    return c;
  }

  /** Runs {@code statements} in one transaction on a fresh connection. */
  void inTransaction(String... statements) throws SQLException {
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      for (String s : statements) {
        st.execute(s);
      }
      c.commit();
    }
  }

  @Override
  public void close() {
    pg.close();
  }
}
