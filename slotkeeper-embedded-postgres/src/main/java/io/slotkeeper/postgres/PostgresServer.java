package io.slotkeeper.postgres;

import io.slotkeeper.postgres.spi.Backend;
import io.slotkeeper.postgres.spi.DockerBackendProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, running PostgreSQL server for tests and demos, with helpers that cause real faults.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.builder().version(16).setting("wal_sender_timeout", "2s").start()) {
 *     pg.execute("CREATE TABLE t (id int PRIMARY KEY)");
 * }
 * }</pre>
 *
 * <p>By default the server runs from the PostgreSQL binaries shipped inside this jar (Linux
 * x86-64); elsewhere it falls back to a {@code postgres:<major>} container when a Docker engine is
 * reachable and slotkeeper-testkit, which holds that backend (Testcontainers), is on the class
 * path. System properties: {@code slotkeeper.pg.version} (default major version, 17), {@code
 * slotkeeper.pg.mode} ({@code auto|embedded|docker}), {@code slotkeeper.pg.cache-dir} (where the
 * binaries are unpacked).
 *
 * <p>Every SQL helper opens its own short-lived superuser connection, so helpers never interfere
 * with the connections of the code under test. Every server is also stopped by a JVM shutdown hook,
 * and an embedded one by a watchdog process if the JVM is killed outright.
 */
public final class PostgresServer implements AutoCloseable {

  /** Where the server comes from. */
  public enum Mode {
    /**
     * Embedded binaries when this platform has them, else Docker when reachable (needs
     * slotkeeper-testkit).
     */
    AUTO,
    /** The binaries from this jar, run by pg_ctl. Supports every fault helper. */
    EMBEDDED,
    /**
     * A Testcontainers {@code postgres:<major>} container (needs slotkeeper-testkit); no stop/start
     * faults.
     */
    DOCKER
  }

  /** Reads a result set; may throw SQLException, which the helpers wrap. */
  @FunctionalInterface
  public interface ResultSetFunction<T> {
    T apply(ResultSet rs) throws SQLException;
  }

  public static final String VERSION_PROPERTY = "slotkeeper.pg.version";
  public static final String MODE_PROPERTY = "slotkeeper.pg.mode";
  public static final int FALLBACK_VERSION = 17;
  public static final String SUPERUSER = "postgres";

  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
  private static final Set<String> RESERVED =
      Set.of("port", "listen_addresses", "unix_socket_directories");
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Set<PostgresServer> LIVE = ConcurrentHashMap.newKeySet();
  private static volatile boolean hookInstalled;

  private static final AtomicInteger STANDBY_COUNTER = new AtomicInteger();

  private final int version;
  private final Mode mode;
  private final String password;
  private final Backend backend;
  private volatile boolean closed;

  /** The server this one streams from while it is a standby; null for a server made by initdb. */
  private final PostgresServer upstream;

  /** The physical slot on {@link #upstream} this standby streams from. */
  private final String upstreamSlot;

  private PostgresServer(int version, Mode mode, String password, Backend backend) {
    this(version, mode, password, backend, null, null);
  }

  private PostgresServer(
      int version,
      Mode mode,
      String password,
      Backend backend,
      PostgresServer upstream,
      String upstreamSlot) {
    this.version = version;
    this.mode = mode;
    this.password = password;
    this.backend = backend;
    this.upstream = upstream;
    this.upstreamSlot = upstreamSlot;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The major version used when none is given: system property {@code slotkeeper.pg.version}, else
   * 17.
   */
  public static int defaultVersion() {
    String value = System.getProperty(VERSION_PROPERTY);
    if (value == null || value.isBlank()) {
      return FALLBACK_VERSION;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "-D" + VERSION_PROPERTY + " must be a major version like 17, not '" + value + "'");
    }
  }

  /** Major versions whose binaries ship with this module (embedded mode). */
  public static List<Integer> embeddedVersions() {
    return BinaryCache.availableVersions();
  }

  // ---------------------------------------------------------------- coordinates

  /** The major version, e.g. 17. */
  public int version() {
    return version;
  }

  public Mode mode() {
    return mode;
  }

  public String host() {
    return backend.host();
  }

  public int port() {
    return backend.port();
  }

  public String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
  }

  public String superuser() {
    return SUPERUSER;
  }

  public String superuserPassword() {
    return password;
  }

  public boolean isRunning() {
    return !closed && backend.running();
  }

  @Override
  public String toString() {
    return backend.describe();
  }

  // ---------------------------------------------------------------- connections and SQL

  /**
   * Superuser properties for an ordinary JDBC connection; copy and extend them for special ones.
   */
  public Properties connectionProperties() {
    Properties props = new Properties();
    PGProperty.USER.set(props, SUPERUSER);
    PGProperty.PASSWORD.set(props, password);
    // Lets tests tell the fixture's own sessions apart in pg_stat_activity.
    PGProperty.APPLICATION_NAME.set(props, "slotkeeper-embedded-postgres");
    PGProperty.CONNECT_TIMEOUT.set(props, 10);
    return props;
  }

  public Connection connect() {
    return connect("postgres");
  }

  public Connection connect(String database) {
    return connect(database, connectionProperties());
  }

  private Connection connect(String database, Properties props) {
    try {
      return DriverManager.getConnection(jdbcUrl(database), props);
    } catch (SQLException e) {
      throw new PostgresServerException(
          "could not connect to " + jdbcUrl(database) + ": " + e.getMessage(), e);
    }
  }

  /**
   * A logical replication connection ({@code replication=database}) as the superuser, set up the
   * way pgjdbc's replication API needs it: simple query mode and no version probing.
   */
  public Connection connectReplication(String database) {
    Properties props = connectionProperties();
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    return connect(database, props);
  }

  public Connection connectReplication() {
    return connectReplication("postgres");
  }

  public void execute(String sql) {
    execute("postgres", sql);
  }

  public void execute(String database, String sql) {
    try (Connection c = connect(database);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw sqlFailure(sql, e);
    }
  }

  /** Runs a query in its own connection and hands the result set to {@code reader}. */
  public <T> T query(String database, String sql, ResultSetFunction<T> reader) {
    try (Connection c = connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return reader.apply(rs);
    } catch (SQLException e) {
      throw sqlFailure(sql, e);
    }
  }

  public <T> T query(String sql, ResultSetFunction<T> reader) {
    return query("postgres", sql, reader);
  }

  /** First column of the first row as text; null if there is no row or the value is NULL. */
  public String queryString(String sql) {
    return queryString("postgres", sql);
  }

  public String queryString(String database, String sql) {
    return query(database, sql, rs -> rs.next() ? rs.getString(1) : null);
  }

  /** First column of the first row as a number; fails if there is no row or the value is NULL. */
  public long queryLong(String sql) {
    return queryLong("postgres", sql);
  }

  public long queryLong(String database, String sql) {
    return query(
        database,
        sql,
        rs -> {
          if (!rs.next()) {
            throw new SQLException("query returned no row");
          }
          long value = rs.getLong(1);
          if (rs.wasNull()) {
            throw new SQLException("query returned NULL");
          }
          return value;
        });
  }

  /** First column of every row, as text. */
  public List<String> queryColumn(String sql) {
    return query(
        "postgres",
        sql,
        rs -> {
          List<String> values = new ArrayList<>();
          while (rs.next()) {
            values.add(rs.getString(1));
          }
          return values;
        });
  }

  public void createDatabase(String name) {
    execute("CREATE DATABASE " + ident(name));
  }

  /**
   * A role that can log in over TCP with {@code password}; {@code replication} grants the
   * REPLICATION attribute.
   */
  public void createRole(String name, String password, boolean replication) {
    execute(
        "CREATE ROLE "
            + ident(name)
            + " LOGIN "
            + (replication ? "REPLICATION" : "NOREPLICATION")
            + " PASSWORD "
            + literal(password));
  }

  // ---------------------------------------------------------------- server log

  /** The whole server log written so far (all starts of this server). */
  public String serverLog() {
    return backend.log();
  }

  public boolean logContains(String substring) {
    return serverLog().contains(substring);
  }

  /**
   * Waits until the server log contains {@code substring}; fails with the log's tail after {@code
   * timeout}.
   */
  public void awaitLog(String substring, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!logContains(substring)) {
      if (System.nanoTime() - deadline > 0) {
        throw new PostgresServerException(
            "the server log did not show '"
                + substring
                + "' within "
                + timeout
                + "; its last lines:\n"
                + EmbeddedBackend.tail(serverLog(), 20));
      }
      sleep(POLL);
    }
  }

  // ---------------------------------------------------------------- faults

  /**
   * Waits until a walsender streams from {@code slotName} (the slot is active) and returns its pid.
   */
  public int waitForActiveWalsender(String slotName, Duration timeout) {
    return waitForActiveWalsender(slotName, timeout, POLL, () -> {});
  }

  /**
   * As {@link #waitForActiveWalsender(String, Duration)}, looking every {@code poll} and running
   * {@code betweenLooks} after each look that found none: it may throw to end the wait early (the
   * client that was to start the walsender failed). One connection serves the whole wait, so the
   * looks cost the server a query each, not a backend and an authentication.
   */
  public int waitForActiveWalsender(
      String slotName, Duration timeout, Duration poll, Runnable betweenLooks) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Connection c = connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active")) {
      ps.setString(1, slotName);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && rs.getInt(1) != 0) {
            return rs.getInt(1);
          }
        }
        if (System.nanoTime() - deadline > 0) {
          throw new PostgresServerException(
              "no walsender became active on slot '" + slotName + "' within " + timeout);
        }
        betweenLooks.run();
        sleep(poll);
      }
    } catch (SQLException e) {
      throw new PostgresServerException(
          "could not look at slot '" + slotName + "': " + e.getMessage(), e);
    }
  }

  /**
   * Terminates the walsender streaming from {@code slotName} with pg_terminate_backend, as an
   * administrator would, and waits until that process is gone. The client sees its connection
   * closed with "terminating connection due to administrator command".
   *
   * @return the terminated pid, or 0 when no walsender was using the slot
   */
  public int terminateWalsender(String slotName) {
    try (Connection c = connect()) {
      int pid;
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active")) {
        ps.setString(1, slotName);
        try (ResultSet rs = ps.executeQuery()) {
          pid = rs.next() ? rs.getInt(1) : 0;
        }
      }
      if (pid == 0) {
        return 0;
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
        ps.setInt(1, pid);
        ps.execute();
      }
      awaitBackendGone(c, pid, Duration.ofSeconds(10));
      return pid;
    } catch (SQLException e) {
      throw new PostgresServerException(
          "could not terminate the walsender of '" + slotName + "': " + e.getMessage(), e);
    }
  }

  /** Terminates any backend by pid (pg_terminate_backend) and waits until it is gone. */
  public boolean terminateBackend(int pid) {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      boolean signalled;
      try (ResultSet rs = ps.executeQuery()) {
        signalled = rs.next() && rs.getBoolean(1);
      }
      if (signalled) {
        awaitBackendGone(c, pid, Duration.ofSeconds(10));
      }
      return signalled;
    } catch (SQLException e) {
      throw new PostgresServerException(
          "could not terminate backend " + pid + ": " + e.getMessage(), e);
    }
  }

  private static void awaitBackendGone(Connection c, int pid, Duration timeout)
      throws SQLException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ?")) {
      ps.setInt(1, pid);
      while (true) {
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return;
          }
        }
        if (System.nanoTime() - deadline > 0) {
          throw new PostgresServerException(
              "backend " + pid + " still exists " + timeout + " after pg_terminate_backend");
        }
        sleep(POLL);
      }
    }
  }

  /**
   * Stops the server the way {@code pg_ctl stop -m <mode>} does; its port and data stay for {@link
   * #start()}.
   */
  public void stop(StopMode mode) {
    checkOpen();
    backend.stop(Objects.requireNonNull(mode, "mode"));
    LOG.info("Stopped ({}) {}", mode, backend.describe());
  }

  /**
   * Starts a stopped server again on the same port with the same data (after IMMEDIATE: with crash
   * recovery).
   */
  public void start() {
    checkOpen();
    backend.start();
    LOG.info("Started again {}", backend.describe());
  }

  /** FAST stop, then start. */
  public void restart() {
    stop(StopMode.FAST);
    start();
  }

  /**
   * Changes settings that need a restart (e.g. {@code wal_level}, {@code max_replication_slots})
   * and restarts with FAST. A null value removes a setting PostgresServer or the builder had set,
   * so PostgreSQL's built-in default applies again.
   */
  public void restartWith(Map<String, String> changes) {
    checkOpen();
    changes.keySet().forEach(PostgresServer::checkSettingName);
    backend.restartWith(changes);
    LOG.info("Restarted with {}: {}", changes, backend.describe());
  }

  /**
   * Sets a reloadable setting (such as {@code wal_sender_timeout}) with ALTER SYSTEM and reloads
   * the configuration. Returns once new sessions see the reload; running sessions, walsenders
   * included, pick it up as they next check for signals.
   */
  public void setSetting(String name, String value) {
    checkSettingName(name);
    execute("ALTER SYSTEM SET " + name + " = " + literal(value));
    reloadConfiguration();
  }

  /** Undoes {@link #setSetting} (ALTER SYSTEM RESET) and reloads. */
  public void resetSetting(String name) {
    checkSettingName(name);
    execute("ALTER SYSTEM RESET " + name);
    reloadConfiguration();
  }

  /** pg_reload_conf(), then waits until the postmaster has actually re-read the files. */
  public void reloadConfiguration() {
    // pg_reload_conf() only sends SIGHUP. A new session inherits the postmaster's last load time,
    // so once a
    // new session sees a later pg_conf_load_time() the postmaster has processed the reload.
    String before = queryString("SELECT pg_conf_load_time()::text");
    execute("SELECT pg_reload_conf()");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (queryLong("SELECT (pg_conf_load_time() > " + literal(before) + "::timestamptz)::int")
        == 0) {
      if (System.nanoTime() - deadline > 0) {
        throw new PostgresServerException(
            "the server did not reload its configuration within 10 s");
      }
      sleep(POLL);
    }
  }

  /**
   * Opens a connection with a transaction that owns an xid and keeps it open, which holds back the
   * slot's catalog_xmin horizon and vacuum. Close it (or commit/rollback) to let go.
   */
  public HeldTransaction holdOpenTransaction() {
    return holdOpenTransaction("postgres");
  }

  public HeldTransaction holdOpenTransaction(String database) {
    return HeldTransaction.open(connect(database));
  }

  // ---------------------------------------------------------------- standbys and failover

  /**
   * A streaming physical standby of this server with the same settings; see {@link
   * #startStandby(Map)}.
   */
  public PostgresServer startStandby() {
    return startStandby(Map.of());
  }

  /**
   * Builds and starts a streaming physical standby of this server (embedded mode only), the way
   * pg_basebackup -R -S would, which the bundled binaries lack: a physical slot on this server
   * (reserving WAL from now), a base backup through the low-level API plus a file copy of the data
   * directory, {@code standby.signal}, and {@code primary_conninfo}/{@code primary_slot_name}. The
   * standby has this server's settings plus {@code settings} (e.g. {@code hot_standby_feedback}),
   * its own port, and runs as the same OS account. Called on a standby it builds a cascading
   * standby of that standby.
   *
   * <p>Returns once the standby accepts read-only connections. Closing it drops its slot here (when
   * this server still runs).
   */
  public PostgresServer startStandby(Map<String, String> settings) {
    checkOpen();
    if (!(backend instanceof EmbeddedBackend)) {
      throw new PostgresServerException(
          "a standby needs an embedded server (mode EMBEDDED); this is " + backend.describe());
    }
    settings.keySet().forEach(PostgresServer::checkSettingName);
    EmbeddedBackend source = (EmbeddedBackend) backend;
    if (isInRecovery()) {
      prepareStandbyBackup();
    }
    String slot =
        "slotkeeper_standby_"
            + ProcessHandle.current().pid()
            + "_"
            + STANDBY_COUNTER.incrementAndGet();
    execute("SELECT pg_create_physical_replication_slot(" + literal(slot) + ", true)");
    Map<String, String> all = source.settings();
    all.putAll(settings);
    EmbeddedBackend standby =
        new EmbeddedBackend(version, all, password, null, Duration.ofSeconds(60));
    String conninfo =
        "host="
            + host()
            + " port="
            + port()
            + " user="
            + SUPERUSER
            + " password="
            + password
            // Only the slot synchronization of 17+ reads it (failover slots live in a database);
            // streaming ignores it.
            + " dbname=postgres"
            + " application_name="
            + slot;
    long t0 = System.nanoTime();
    try {
      standby.createStandby(
          data -> BaseBackup.take(this, source.dataDirectory(), data, slot), conninfo, slot);
    } catch (RuntimeException e) {
      dropSlotQuietly(slot);
      throw e;
    }
    PostgresServer server =
        new PostgresServer(version, Mode.EMBEDDED, password, standby, this, slot);
    registerForShutdown(server);
    LOG.info(
        "Started standby {} of {} in {} ms",
        standby.describe(),
        backend.describe(),
        (System.nanoTime() - t0) / 1_000_000);
    return server;
  }

  /**
   * A base backup of this server (embedded mode only) into {@code target}, which must be empty or
   * missing, through the low-level backup API, as {@link #startStandby} takes one: the data files
   * and the backup_label, but no WAL (pg_wal is left empty, as pg_basebackup without WAL would):
   * the WAL from the backup's start on must come from an archive. Returns the backup's end LSN, the
   * point from which a server made of it is consistent. See {@link #startRecovered}.
   */
  public String baseBackup(Path target) {
    checkOpen();
    if (!(backend instanceof EmbeddedBackend)) {
      throw new PostgresServerException(
          "a base backup needs an embedded server (mode EMBEDDED); this is " + backend.describe());
    }
    if (isInRecovery()) {
      prepareStandbyBackup();
    }
    try {
      Files.createDirectories(target);
      try (Stream<Path> files = Files.list(target)) {
        if (files.findAny().isPresent()) {
          throw new PostgresServerException(target + " is not empty");
        }
      }
    } catch (IOException e) {
      throw new PostgresServerException("could not prepare " + target + ": " + e, e);
    }
    return BaseBackup.take(
        this,
        ((EmbeddedBackend) backend).dataDirectory(),
        target,
        "slotkeeper_backup_" + STANDBY_COUNTER.incrementAndGet());
  }

  /**
   * Starts a new server (this one's version and settings, its own port) from a base backup that
   * {@link #baseBackup} wrote, recovering with {@code recoverySettings} (at least {@code
   * restore_command}; e.g. {@code recovery_target_lsn}, {@code recovery_target_action}) and
   * recovery.signal, as a restore from an archive is done. Returns once it accepts connections: it
   * may still be replaying (see {@link #isInRecovery()}); without a recovery target it ends
   * recovery, on a new timeline, when restore_command finds no more WAL. The backup directory is
   * copied, not used.
   */
  public PostgresServer startRecovered(Path backup, Map<String, String> recoverySettings) {
    checkOpen();
    if (!(backend instanceof EmbeddedBackend)) {
      throw new PostgresServerException(
          "a restored server needs an embedded server (mode EMBEDDED); this is "
              + backend.describe());
    }
    recoverySettings.keySet().forEach(PostgresServer::checkSettingName);
    EmbeddedBackend restored =
        new EmbeddedBackend(
            version,
            ((EmbeddedBackend) backend).settings(),
            password,
            null,
            Duration.ofSeconds(120));
    restored.createRecovered(data -> copyTree(backup, data), recoverySettings);
    PostgresServer server = new PostgresServer(version, Mode.EMBEDDED, password, restored);
    registerForShutdown(server);
    LOG.info("Started {} recovered from the base backup in {}", restored.describe(), backup);
    return server;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  /**
   * A backup taken on a standby is refused unless every WAL record replayed since its last
   * restartpoint was written with full_page_writes on (PostgreSQL cannot force them from here, as a
   * primary does during a backup). Test servers run with it off, so: turn it on at the primary,
   * make a checkpoint there, wait until this standby replayed it, and make a restartpoint here.
   */
  private void prepareStandbyBackup() {
    PostgresServer primary = upstream;
    while (primary != null && primary.upstream != null && primary.isInRecovery()) {
      primary = primary.upstream;
    }
    if (primary == null || primary.isInRecovery()) {
      throw new PostgresServerException(
          "cannot find the primary of standby " + backend.describe() + " to prepare a backup");
    }
    if (!"on".equals(primary.queryString("SHOW full_page_writes"))) {
      primary.setSetting("full_page_writes", "on");
    }
    primary.execute("CHECKPOINT");
    waitForReplay(primary.currentLsn(), Duration.ofSeconds(30));
    execute("CHECKPOINT");
  }

  /** The server this standby streams from; null for a server that was not made as a standby. */
  public PostgresServer upstream() {
    return upstream;
  }

  /**
   * The physical slot on the upstream server that this standby streams through (the name a
   * primary's {@code synchronized_standby_slots} lists); null for a server not made as a standby.
   */
  public String upstreamSlot() {
    return upstreamSlot;
  }

  /** {@code pg_is_in_recovery()}: true while this server is a standby. */
  public boolean isInRecovery() {
    return "t".equals(queryString("SELECT pg_is_in_recovery()"));
  }

  /**
   * Where this server's WAL ends: the insert position on a primary, the replay position on a
   * standby (as text, e.g. {@code 0/3000148}).
   */
  public String currentLsn() {
    return queryString(
        "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
            + " ELSE pg_current_wal_insert_lsn() END::text");
  }

  /** The timeline this server is on (IDENTIFY_SYSTEM); a promotion increments it. */
  public int timeline() {
    return Integer.parseInt(identifySystem(2));
  }

  /** The system identifier (IDENTIFY_SYSTEM): the same on a primary and all its standbys. */
  public String systemIdentifier() {
    return identifySystem(1);
  }

  private String identifySystem(int column) {
    try (Connection c = connectReplication();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("IDENTIFY_SYSTEM")) {
      rs.next();
      return rs.getString(column);
    } catch (SQLException e) {
      throw sqlFailure("IDENTIFY_SYSTEM", e);
    }
  }

  /**
   * Waits until this standby has replayed WAL up to {@code lsn}; see {@link #waitForReplay(String,
   * Duration)}.
   */
  public void waitForReplay(String lsn) {
    waitForReplay(lsn, Duration.ofSeconds(30));
  }

  /**
   * Waits until this server has replayed WAL up to {@code lsn} (e.g. the primary's {@link
   * #currentLsn()} after a write), so that the write is visible here; fails after {@code timeout}.
   */
  public void waitForReplay(String lsn, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String sql =
        "SELECT coalesce(pg_last_wal_replay_lsn() >= " + literal(lsn) + "::pg_lsn, false)::int";
    while (queryLong(sql) == 0) {
      if (System.nanoTime() - deadline > 0) {
        throw new PostgresServerException(
            backend.describe()
                + " did not replay up to "
                + lsn
                + " within "
                + timeout
                + " (replayed: "
                + queryString("SELECT pg_last_wal_replay_lsn()::text")
                + ")");
      }
      sleep(POLL);
    }
  }

  /**
   * Promotes this standby (pg_promote, waiting up to 60 s): it leaves recovery on a new timeline
   * and accepts writes. Its upstream, if still running, keeps the slot until this server is closed.
   */
  public void promote() {
    checkOpen();
    if (!"t".equals(queryString("SELECT pg_promote(true, 60)"))) {
      throw new PostgresServerException(backend.describe() + " did not finish promotion in 60 s");
    }
    LOG.info("Promoted {} to timeline {}", backend.describe(), timeline());
  }

  private void dropSlotQuietly(String slot) {
    try {
      if (isRunning()) {
        // Its walsender may not have noticed yet that the standby is gone.
        terminateWalsender(slot);
        execute("SELECT pg_drop_replication_slot(" + literal(slot) + ")");
      }
    } catch (RuntimeException e) {
      LOG.debug("could not drop slot {} on {}: {}", slot, backend.describe(), e.toString());
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Stops the server (FAST, else IMMEDIATE, else SIGKILL) and deletes its data. Safe to call twice.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LIVE.remove(this);
    backend.destroy(false);
    LOG.info("Closed {}", backend.describe());
    if (upstream != null && !upstream.closed) {
      // The standby is gone: its slot would hold WAL on the upstream for ever.
      upstream.dropSlotQuietly(upstreamSlot);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(backend.describe() + " has been closed");
    }
  }

  private static void registerForShutdown(PostgresServer server) {
    LIVE.add(server);
    if (!hookInstalled) {
      synchronized (PostgresServer.class) {
        if (!hookInstalled) {
          // Last resort for servers a test forgot to close: a JVM exit must not leave a postmaster
          // behind.
          Runtime.getRuntime()
              .addShutdownHook(
                  new Thread(
                      () -> {
                        for (PostgresServer s : LIVE) {
                          s.closed = true;
                          s.backend.destroy(true);
                        }
                      },
                      "slotkeeper-pg-shutdown"));
          hookInstalled = true;
        }
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static void checkSettingName(String name) {
    if (name == null || !SETTING_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a setting name: " + name);
    }
  }

  private PostgresServerException sqlFailure(String sql, SQLException e) {
    return new PostgresServerException(
        "SQL failed on " + backend.describe() + ": " + e.getMessage() + "\n  SQL: " + sql, e);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PostgresServerException("interrupted", e);
    }
  }

  // ---------------------------------------------------------------- builder

  /**
   * Configures and starts a server. Reusable: every {@link #start()} makes a new, independent
   * server.
   */
  public static final class Builder {
    private Integer version;
    private Mode mode;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private String password = "slotkeeper";
    private Integer walSegmentSizeMb;
    private Duration startTimeout = Duration.ofSeconds(60);

    private Builder() {}

    /**
     * An independent builder with the same configuration (PostgresExtension keeps one per test
     * class).
     */
    public Builder copy() {
      Builder b = new Builder();
      b.version = version;
      b.mode = mode;
      b.settings.putAll(settings);
      b.password = password;
      b.walSegmentSizeMb = walSegmentSizeMb;
      b.startTimeout = startTimeout;
      return b;
    }

    /** Major version, e.g. 16. Default: {@link #defaultVersion()}. */
    public Builder version(int major) {
      if (major < 10) {
        throw new IllegalArgumentException("major version expected (10 or later), got " + major);
      }
      this.version = major;
      return this;
    }

    /**
     * Whether {@link #version(int)} was called; if not, {@link #start()} takes {@link
     * #defaultVersion()}.
     */
    public boolean hasVersion() {
      return version != null;
    }

    /** Default: system property {@code slotkeeper.pg.mode}, else {@link Mode#AUTO}. */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode);
      return this;
    }

    /**
     * A server setting written to the configuration before the first start. It overrides
     * PostgresServer's defaults (wal_level=logical, max_replication_slots=20, ...), except port,
     * listen_addresses and unix_socket_directories, which PostgresServer owns.
     */
    public Builder setting(String name, String value) {
      checkSettingName(name);
      if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(name + " is managed by PostgresServer");
      }
      settings.put(name, Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder settings(Map<String, String> values) {
      values.forEach(this::setting);
      return this;
    }

    public Builder superuserPassword(String password) {
      this.password = Objects.requireNonNull(password);
      return this;
    }

    /**
     * initdb --wal-segsize (MB, power of two): small segments make slot-invalidation tests cheap.
     */
    public Builder walSegmentSizeMb(int megabytes) {
      this.walSegmentSizeMb = megabytes;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * Starts a new server; throws {@link PostgresServerException} with the reason (and log) if it
     * cannot.
     */
    public PostgresServer start() {
      int major = version != null ? version : defaultVersion();
      Mode chosen = resolveMode(mode, major);
      Map<String, String> all = new LinkedHashMap<>(defaults());
      all.putAll(settings);
      Backend backend =
          chosen == Mode.DOCKER
              ? DockerBackends.provider()
                  .orElseThrow()
                  .backend(major, all, password, walSegmentSizeMb)
              : new EmbeddedBackend(major, all, password, walSegmentSizeMb, startTimeout);
      long t0 = System.nanoTime();
      backend.create();
      PostgresServer server = new PostgresServer(major, chosen, password, backend);
      registerForShutdown(server);
      LOG.info("Started {} in {} ms", backend.describe(), (System.nanoTime() - t0) / 1_000_000);
      return server;
    }

    /** What every test server needs for logical replication, plus speed over durability. */
    private static Map<String, String> defaults() {
      Map<String, String> d = new LinkedHashMap<>();
      d.put("wal_level", "logical");
      d.put("max_replication_slots", "20");
      d.put("max_wal_senders", "20");
      d.put("fsync", "off");
      d.put("full_page_writes", "off");
      d.put("shared_buffers", "16MB");
      d.put("password_encryption", "scram-sha-256");
      d.put("log_min_messages", "warning");
      d.put("log_line_prefix", "%m [%p] %q%u@%d ");
      // START_REPLICATION and friends in the log make replication test failures readable.
      d.put("log_replication_commands", "on");
      d.put("TimeZone", "UTC");
      d.put("log_timezone", "UTC");
      d.put("jit", "off");
      return d;
    }

    private static Mode resolveMode(Mode requested, int major) {
      Mode m = requested;
      if (m == null) {
        String prop = System.getProperty(MODE_PROPERTY, "auto").trim().toUpperCase(Locale.ROOT);
        try {
          m = Mode.valueOf(prop.isEmpty() ? "AUTO" : prop);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "-D"
                  + MODE_PROPERTY
                  + " must be auto, embedded or docker, not '"
                  + System.getProperty(MODE_PROPERTY)
                  + "'");
        }
      }
      boolean embeddable = BinaryCache.platformSupported() && BinaryCache.archive(major) != null;
      switch (m) {
        case EMBEDDED:
          if (!BinaryCache.platformSupported()) {
            throw new PostgresServerException(
                "embedded PostgreSQL needs Linux x86-64; this is "
                    + System.getProperty("os.name")
                    + " "
                    + System.getProperty("os.arch"));
          }
          return m;
        case DOCKER:
          if (DockerBackends.provider().isEmpty()) {
            throw new PostgresServerException(
                "mode DOCKER needs slotkeeper-testkit on the class path: "
                    + "the Testcontainers backend lives there");
          }
          if (!dockerAvailable()) {
            throw new PostgresServerException(
                "-D"
                    + MODE_PROPERTY
                    + "=docker, but no Docker engine is "
                    + "reachable (Testcontainers found none)");
          }
          return m;
        default:
          // Embedded first: it starts in about a second and supports stop/start faults. Docker is
          // only
          // asked when needed, because probing for it can take a while on machines without one.
          if (embeddable) {
            return Mode.EMBEDDED;
          }
          if (dockerAvailable()) {
            return Mode.DOCKER;
          }
          throw new PostgresServerException(
              "cannot run PostgreSQL "
                  + major
                  + ": the embedded binaries "
                  + "cover Linux x86-64 versions "
                  + BinaryCache.availableVersions()
                  + (DockerBackends.provider().isEmpty()
                      ? ", and without slotkeeper-testkit on the class path there is no Docker backend"
                      : ", and no Docker engine is reachable"));
      }
    }

    private static boolean dockerAvailable() {
      return DockerBackends.provider().map(DockerBackendProvider::available).orElse(false);
    }
  }
}
