package io.slotkeeper.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.postgres.HeldTransaction;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.postgres.PostgresServerException;
import io.slotkeeper.postgres.StopMode;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

class PostgresServerIT {

  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .setting("wal_sender_timeout", "2s")
          .setting("max_slot_wal_keep_size", "16MB")
          .build();

  @Test
  void startsTheDefaultVersionReadyForLogicalReplication(PostgresServer pg) {
    assertThat(pg.version()).isEqualTo(PostgresServer.defaultVersion());
    assertThat(pg.queryLong("SHOW server_version_num") / 10000).isEqualTo(pg.version());
    assertThat(pg.queryString("SHOW wal_level")).isEqualTo("logical");
    assertThat(pg.queryLong("SHOW max_replication_slots")).isGreaterThanOrEqualTo(10);
    assertThat(pg.queryLong("SHOW max_wal_senders")).isGreaterThanOrEqualTo(10);
    assertThat(pg.queryString("SHOW wal_sender_timeout")).isEqualTo("2s");
    assertThat(pg.queryString("SHOW max_slot_wal_keep_size")).isEqualTo("16MB");
    assertThat(pg.queryString("SHOW listen_addresses")).isEqualTo("127.0.0.1");
    assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres");
    assertThat(pg.serverLog()).contains("database system is ready to accept connections");
    assertThat(PG.server()).isSameAs(pg);
  }

  @Test
  void passwordIsRequiredOverTcp(PostgresServer pg) {
    Properties wrong = pg.connectionProperties();
    PGProperty.PASSWORD.set(wrong, "not-the-password");
    assertThatThrownBy(() -> DriverManager.getConnection(pg.jdbcUrl(), wrong).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
  }

  @Test
  void stopsFastAndImmediateAndStartsAgainOnTheSamePortWithItsData(PostgresServer pg)
      throws Exception {
    int port = pg.port();
    pg.createDatabase("keep");
    pg.execute("keep", "CREATE TABLE t (id int PRIMARY KEY)");
    pg.execute("keep", "INSERT INTO t VALUES (1)");
    try (Connection open = pg.connect()) {
      pg.stop(StopMode.FAST);
      assertThat(pg.isRunning()).isFalse();
      assertThatThrownBy(() -> open.createStatement().execute("SELECT 1"))
          .isInstanceOf(SQLException.class);
    }
    pg.start();
    assertThat(pg.port()).isEqualTo(port);
    pg.execute("keep", "INSERT INTO t VALUES (2)");

    pg.stop(StopMode.IMMEDIATE);
    pg.start();
    assertThat(pg.port()).isEqualTo(port);
    assertThat(pg.queryLong("keep", "SELECT count(*) FROM t")).isEqualTo(2);
    // an immediate stop skips the shutdown checkpoint, so the next start has to recover
    assertThat(pg.serverLog()).contains("database system was interrupted");
  }

  @Test
  void heldTransactionOwnsAnXidAndShowsInPgStatActivity(PostgresServer pg) {
    try (HeldTransaction tx = pg.holdOpenTransaction()) {
      assertThat(tx.xid()).isPositive();
      assertThat(pg.queryString("SELECT state FROM pg_stat_activity WHERE pid = " + tx.pid()))
          .isEqualTo("idle in transaction");
      assertThat(
              pg.queryLong(
                  "SELECT backend_xid::text::bigint FROM pg_stat_activity WHERE pid = " + tx.pid()))
          .isEqualTo(tx.xid() & 0xFFFF_FFFFL);
      tx.commit();
      assertThat(tx.isOpen()).isFalse();
    }
  }

  @Test
  void createsRolesWithAndWithoutReplication(PostgresServer pg) throws Exception {
    pg.createRole("repl_user", "s3cret'quote", true);
    pg.createRole("plain_user", "other", false);
    assertThat(pg.queryString("SELECT rolreplication FROM pg_roles WHERE rolname = 'repl_user'"))
        .isEqualTo("t");
    assertThat(pg.queryString("SELECT rolreplication FROM pg_roles WHERE rolname = 'plain_user'"))
        .isEqualTo("f");
    Properties props = new Properties();
    PGProperty.USER.set(props, "repl_user");
    PGProperty.PASSWORD.set(props, "s3cret'quote");
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), props)) {
      assertThat(c.isValid(2)).isTrue();
    }
  }

  @Test
  void setSettingReloadsAReloadableSetting(PostgresServer pg) {
    pg.setSetting("wal_sender_timeout", "7s");
    assertThat(pg.queryString("SHOW wal_sender_timeout")).isEqualTo("7s");
    pg.resetSetting("wal_sender_timeout");
    assertThat(pg.queryString("SHOW wal_sender_timeout")).isEqualTo("2s");
  }

  @Test
  void restartWithChangesARestartOnlySetting(PostgresServer pg) {
    int port = pg.port();
    pg.restartWith(Map.of("max_replication_slots", "12"));
    assertThat(pg.queryLong("SHOW max_replication_slots")).isEqualTo(12);
    assertThat(pg.port()).isEqualTo(port);
    // null drops the testkit's own value (20), leaving PostgreSQL's built-in default (10)
    pg.restartWith(java.util.Collections.singletonMap("max_replication_slots", null));
    assertThat(pg.queryLong("SHOW max_replication_slots")).isEqualTo(10);
    pg.restartWith(Map.of("max_replication_slots", "20"));
  }

  @Test
  void terminateWalsenderKillsTheStreamingBackend(PostgresServer pg) throws Exception {
    pg.execute("SELECT pg_create_logical_replication_slot('term_slot', 'test_decoding')");
    Connection repl = pg.connectReplication();
    try {
      PGReplicationStream stream =
          repl.unwrap(PGConnection.class)
              .getReplicationAPI()
              .replicationStream()
              .logical()
              .withSlotName("term_slot")
              .start();
      int pid = pg.waitForActiveWalsender("term_slot", Duration.ofSeconds(10));
      assertThat(pid).isPositive();

      assertThat(pg.terminateWalsender("term_slot")).isEqualTo(pid);

      pg.awaitLog("terminating connection due to administrator command", Duration.ofSeconds(10));
      assertThat(pg.queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)).isZero();
      assertThat(
              pg.queryString(
                  "SELECT active FROM pg_replication_slots WHERE slot_name = 'term_slot'"))
          .isEqualTo("f");
      assertThatThrownBy(
              () -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline) {
                  stream.readPending();
                  Thread.sleep(20);
                }
              })
          .isInstanceOf(SQLException.class);
    } finally {
      try {
        repl.close();
      } catch (SQLException expected) {
        // the server already closed this connection
      }
      pg.execute("SELECT pg_drop_replication_slot('term_slot')");
    }
    assertThat(pg.terminateWalsender("no_such_slot")).isZero();
  }

  @Test
  void executeReportsTheFailingSql(PostgresServer pg) {
    assertThatThrownBy(() -> pg.execute("SELEC 1"))
        .isInstanceOf(PostgresServerException.class)
        .hasMessageContaining("SELEC 1");
  }

  @Test
  void statementsRunInTheirOwnConnections(PostgresServer pg) throws Exception {
    try (Connection c = pg.connect();
        Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE mine (x int)");
    }
    assertThat(pg.queryColumn("SELECT datname FROM pg_database ORDER BY 1"))
        .contains("postgres", "template1");
  }
}
