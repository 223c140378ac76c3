package io.slotkeeper.internal.connection;

import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.pgoutput.PgUserType;
import io.slotkeeper.pgoutput.ValueFormat;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyDual;
import org.postgresql.core.BaseConnection;

/**
 * One pgjdbc replication connection (replication=database) and, once started, its COPY BOTH stream.
 * Blocking; used only by the {@link ConnectionActor} that owns it, never by two threads.
 *
 * <p>Why the raw COPY BOTH stream and not pgjdbc's PGReplicationStream: that class hides the
 * server's keepalives (so a silent, black-holed path cannot be told from an idle one), always sends
 * status updates without asking for a reply, and since 42.7 may move the flushed position to the
 * server's WAL end by itself. Reading {@link CopyDual#readFromCopy(boolean)} without blocking is
 * exactly what its readPending() does; decoding the frames ourselves keeps the acknowledgement rule
 * in one place (the DeliveryLedger) and lets every keepalive ask the server for a reply, which is
 * how a dead path is detected.
 */
final class ReplicationSession implements AutoCloseable {
  private final SourceSettings settings;
  private final Connection connection;
  private final CopyStream stream;

  private ReplicationSession(SourceSettings settings, Connection connection) {
    this.settings = settings;
    this.connection = connection;
    this.stream =
        new CopyStream(
            connection, "replication stream (it is shutting down, or the walsender was stopped)");
  }

  /**
   * The session's JDBC connection, for plain queries before streaming (the snapshot marker); never
   * while a CREATE_REPLICATION_SLOT or the stream runs.
   */
  Connection jdbc() {
    return connection;
  }

  static ReplicationSession open(SourceSettings settings) throws SQLException {
    Properties props = JdbcProperties.of(settings);
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    // A walsender accepts only the simple query protocol.
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    return new ReplicationSession(
        settings, DriverManager.getConnection(settings.connection().url(), props));
  }

  ServerFacts inspect() throws SQLException {
    int versionNum = Integer.parseInt(queryString("SHOW server_version_num"));
    String walLevel = queryString("SELECT setting FROM pg_settings WHERE name = 'wal_level'");
    long timeoutMs =
        Long.parseLong(
            queryString("SELECT setting FROM pg_settings WHERE name = 'wal_sender_timeout'"));
    String database = queryString("SELECT current_database()");
    int pid = Integer.parseInt(queryString("SELECT pg_backend_pid()"));
    boolean inRecovery = "t".equals(queryString("SELECT pg_is_in_recovery()"));
    boolean feedback = "on".equals(queryString("SHOW hot_standby_feedback"));
    return new ServerFacts(
        versionNum, walLevel, Duration.ofMillis(timeoutMs), database, pid, inRecovery, feedback);
  }

  /**
   * The session settings that decide how the walsender's output functions print values (the
   * replication connection's own, which pgjdbc's startup parameters and {@code
   * connection-properties} set: TimeZone is the JVM's zone unless overridden). With {@code binary =
   * on} the decoder prints binary values with them, so {@code text()} is what this session would
   * have sent in text format.
   */
  ValueFormat valueFormat() throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT current_setting('TimeZone'), current_setting('DateStyle'),"
                    + " current_setting('IntervalStyle'), current_setting('extra_float_digits'),"
                    + " current_setting('bytea_output'), current_setting('lc_monetary'),"
                    + " current_setting('server_version_num')")) {
      rs.next();
      ValueFormat f =
          new ValueFormat(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  Integer.parseInt(rs.getString(4)),
                  rs.getString(5))
              .withLcMonetary(rs.getString(6));
      int major = Integer.parseInt(rs.getString(7)) / 10000;
      // Binary values (14+) of enums, domains and ranges need the catalog's word on what each is.
      return major >= 14 ? f.withUserTypes(userTypes(major)) : f;
    }
  }

  /**
   * Every column the publications publish, with its type, as {@code pg_publication_tables} resolves
   * the tables (FOR ALL TABLES, schemas, partitions by publish_via_partition_root) and, on 15+,
   * their column lists; generated columns only where a column list names them. For {@code binary =
   * auto}.
   */
  List<BinaryDecision.Column> publishedColumns(int major) throws SQLException {
    String listed =
        major >= 15
            ? "CASE WHEN pt.attnames IS NULL OR cardinality(pt.attnames) = 0"
                + " THEN a.attgenerated = '' ELSE a.attname = ANY (pt.attnames) END"
            : "a.attgenerated = ''";
    String sql =
        "SELECT DISTINCT quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname,"
            + " a.atttypid, format_type(a.atttypid, NULL), a.attnum"
            + " FROM pg_publication_tables pt"
            + " JOIN pg_namespace n ON n.nspname = pt.schemaname"
            + " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename"
            + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            + " WHERE pt.pubname = ANY (?) AND "
            + listed
            + " ORDER BY 1, 5";
    List<BinaryDecision.Column> columns = new java.util.ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setArray(1, connection.createArrayOf("text", settings.publication().names().toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(
              new BinaryDecision.Column(
                  rs.getString(1), rs.getString(2), (int) rs.getLong(3), rs.getString(4)));
        }
      }
    }
    return columns;
  }

  /** The enum, domain, range and multirange types, read before streaming (see PgUserType). */
  private Map<Integer, PgUserType> userTypes(int major) throws SQLException {
    Map<Integer, PgUserType> types = new HashMap<>();
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(PgUserType.catalogQuery(major))) {
      while (rs.next()) {
        PgUserType t = PgUserType.of(rs.getString(1), rs.getString(2), rs.getString(3));
        types.put(t.oid(), t);
      }
    }
    return types;
  }

  /** The host the driver connected to (of a multi-host URL: the one it picked). */
  String host() throws SQLException {
    return connection.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec().getHost();
  }

  /** The port the driver connected to. */
  int port() throws SQLException {
    return connection.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec().getPort();
  }

  /** IDENTIFY_SYSTEM: the cluster, timeline and WAL flush position of the server. */
  ServerIdentity identifySystem() throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
      rs.next();
      return new ServerIdentity(
          rs.getString("systemid"), rs.getInt("timeline"), lsnOrInvalid(rs.getString("xlogpos")));
    }
  }

  /**
   * TIMELINE_HISTORY: the history file of {@code timeline} (2 or later; timeline 1 has none). Its
   * content comes as a bytea column whose bytes are the file's text, unescaped.
   */
  TimelineHistory timelineHistory(int timeline) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("TIMELINE_HISTORY " + timeline)) {
      rs.next();
      return TimelineHistory.parse(timeline, rs.getString("content"));
    }
  }

  /** The publications among {@code names} that do not exist in this database. */
  List<String> missingPublications(List<String> names) throws SQLException {
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      try (PreparedStatement ps =
          connection.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            missing.add(name);
          }
        }
      }
    }
    return missing;
  }

  /** The slot's row, or null when there is no such slot. */
  SlotInfo slot(String name, ServerFacts facts) throws SQLException {
    // invalidation_reason exists from 17. On 16 a slot invalidated by a recovery conflict on a
    // standby (rows_removed or wal_level_insufficient, which 16 does not tell apart) shows
    // conflicting = true besides wal_status = 'lost'; before 16 wal_status is the only sign.
    String reason =
        facts.majorVersion() >= 17
            ? "invalidation_reason"
            : facts.majorVersion() == 16
                ? "CASE WHEN conflicting THEN '" + SlotInfo.RECOVERY_CONFLICT + "' END"
                : "NULL::text";
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT slot_name, plugin, slot_type, database, active_pid, confirmed_flush_lsn, restart_lsn, wal_status, "
                + reason
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        int pid = rs.getInt("active_pid");
        Integer activePid = rs.wasNull() ? null : pid;
        return new SlotInfo(
            rs.getString("slot_name"),
            rs.getString("plugin"),
            rs.getString("slot_type"),
            rs.getString("database"),
            activePid,
            lsnOrInvalid(rs.getString("confirmed_flush_lsn")),
            lsnOrInvalid(rs.getString("restart_lsn")),
            rs.getString("wal_status"),
            rs.getString(9));
      }
    }
  }

  /**
   * True when the slot decodes prepared transactions (pg_replication_slots.two_phase, 15+): created
   * with TWO_PHASE, or turned on by a START_REPLICATION that asked for two_phase.
   */
  boolean slotTwoPhase(String name) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT two_phase FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  void dropSlot(String name) throws SQLException {
    try (Statement st = connection.createStatement()) {
      st.execute("DROP_REPLICATION_SLOT " + quoteIdent(name));
    }
  }

  /** A backend as far as a person needs it to know who holds the slot. */
  record Backend(int pid, String applicationName, String clientAddress) {
    String describe() {
      return "PID "
          + pid
          + (applicationName == null || applicationName.isEmpty()
              ? ""
              : ", application '" + applicationName + "'")
          + (clientAddress == null ? "" : ", from " + clientAddress);
    }
  }

  /** Application name and client address of a backend, for telling a person who holds the slot. */
  Backend describeBackend(int pid) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT application_name, client_addr FROM pg_stat_activity WHERE pid = ?")) {
      ps.setInt(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return new Backend(pid, null, null);
        }
        return new Backend(pid, rs.getString(1), rs.getString(2));
      }
    }
  }

  /**
   * What CREATE_REPLICATION_SLOT answered: the consistent point (the slot's confirmed position) and
   * the exported snapshot's name, null unless one was asked for.
   */
  record CreatedSlot(Lsn consistentPoint, String snapshotName) {}

  /**
   * Creates the logical slot. It may wait a long time: the snapshot builder waits for every
   * transaction that was running when creation began.
   *
   * @param exportSnapshot export the slot's snapshot ({@code SNAPSHOT 'export'} on 15+, {@code
   *     EXPORT_SNAPSHOT} on 13 and 14): it stays importable while this connection runs no other
   *     command
   */
  CreatedSlot createSlot(
      String name, boolean temporary, boolean failover, boolean exportSnapshot, ServerFacts facts)
      throws SQLException {
    if (failover && facts.majorVersion() < 17) {
      throw new ClassifiedException(
          new Classification(
              ErrorClass.FATAL,
              "slot.failover is on, but failover slots need PostgreSQL 17 or newer (this server is PostgreSQL "
                  + facts.majorVersion()
                  + ")",
              "turn " + SourceSettings.CONFIG_PATH + ".slot.failover off, or upgrade the server",
              FailureKind.CONFIGURATION),
          null);
    }
    StringBuilder sql = new StringBuilder("CREATE_REPLICATION_SLOT ").append(quoteIdent(name));
    if (temporary) {
      sql.append(" TEMPORARY");
    }
    sql.append(" LOGICAL pgoutput");
    if (facts.majorVersion() >= 15) {
      // The option-list syntax (15+) is the only one that can say FAILOVER (17+).
      sql.append(exportSnapshot ? " (SNAPSHOT 'export'" : " (SNAPSHOT 'nothing'")
          .append(failover ? ", FAILOVER true" : "")
          // Decode prepared transactions from the consistent point on (two_phase_at); 15+ only,
          // which SetupChecks enforces before any creation.
          .append(settings.slot().twoPhase() ? ", TWO_PHASE true" : "")
          .append(")");
    } else {
      sql.append(exportSnapshot ? " EXPORT_SNAPSHOT" : " NOEXPORT_SNAPSHOT");
    }
    // Creation waits for every transaction that was running when it began, however long that
    // is; the socket timeout bounds streaming reads, not this wait. Cutting the connection here
    // would leave our walsender waiting on (it waits on a lock, not on the socket) and holding
    // the half-created slot, and the heal and terminate-blockers-after would never get their turn.
    if (exportSnapshot) {
      // The walsender keeps the exported snapshot in an open transaction, idle until its next
      // command, which must wait until the snapshot is read: a server or role setting of
      // idle_in_transaction_session_timeout would end it (SnapshotIT checks this).
      try (Statement st = connection.createStatement()) {
        st.execute("SET idle_in_transaction_session_timeout = 0");
      }
    }
    int saved = connection.getNetworkTimeout();
    connection.setNetworkTimeout(Runnable::run, 0);
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql.toString())) {
      rs.next();
      return new CreatedSlot(
          lsnOrInvalid(rs.getString("consistent_point")), rs.getString("snapshot_name"));
    } finally {
      restoreNetworkTimeout(saved);
    }
  }

  private void restoreNetworkTimeout(int millis) {
    try {
      if (!connection.isClosed()) {
        connection.setNetworkTimeout(Runnable::run, millis);
      }
    } catch (SQLException ignored) {
      // the connection broke; the caller's own error says how
    }
  }

  /** When backend {@code pid} started (text, exact), or null when there is no such backend. */
  String backendStart(int pid) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT backend_start::text FROM pg_stat_activity WHERE pid = ?")) {
      ps.setInt(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** pg_terminate_backend; true when the backend was signalled. */
  boolean terminateBackend(int pid) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement("SELECT pg_terminate_backend(?)")) {
      ps.setInt(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  /** CREATE PUBLICATION for {@code tables}, or FOR ALL TABLES when there are none. */
  void createPublication(String name, List<String> tables) throws SQLException {
    String target =
        tables.isEmpty()
            ? "FOR ALL TABLES"
            : "FOR TABLE "
                + tables.stream()
                    .map(ReplicationSession::quoteQualified)
                    .collect(Collectors.joining(", "));
    try (Statement st = connection.createStatement()) {
      st.execute("CREATE PUBLICATION " + quoteIdent(name) + " " + target);
    }
  }

  /** "schema.table" or "table", each part quoted. */
  private static String quoteQualified(String table) {
    int dot = table.indexOf('.');
    return dot < 0
        ? quoteIdent(table)
        : quoteIdent(table.substring(0, dot)) + "." + quoteIdent(table.substring(dot + 1));
  }

  /** Opens the COPY BOTH stream of pgoutput changes from {@code start}. */
  void startStreaming(Lsn start, ServerFacts facts, boolean binary) throws SQLException {
    String pubs =
        settings.publication().names().stream()
            .map(p -> "\"" + p.replace("\"", "\"\"") + "\"")
            .collect(Collectors.joining(","));
    StringBuilder sql =
        new StringBuilder("START_REPLICATION SLOT ")
            .append(quoteIdent(settings.slot().name()))
            .append(" LOGICAL ")
            .append(start)
            .append(" (proto_version '")
            .append(
                ProtocolVersions.requested(
                    settings.stream(), facts.majorVersion(), settings.slot().twoPhase()))
            .append("', publication_names ")
            .append(quoteLiteral(pubs));
    switch (ProtocolVersions.streaming(settings.stream(), facts.majorVersion())) {
      case ON -> sql.append(", streaming 'on'");
      case PARALLEL -> sql.append(", streaming 'parallel'");
      default -> {}
    }
    if (settings.slot().twoPhase()) {
      // 15+ (SetupChecks refuses it before): PREPARE, COMMIT PREPARED and ROLLBACK PREPARED are
      // sent as such. On a slot created without TWO_PHASE the server turns it on here for good,
      // from the start position on (two_phase_at).
      sql.append(", two_phase 'on'");
    }
    if (facts.majorVersion() >= 14) {
      // Logical messages (pg_logical_emit_message) are sent only when asked for; the option exists
      // from 14.
      sql.append(", messages 'true'");
    }
    if (binary) {
      // 14+ (SetupChecks refuses on before, auto decides text there): values in the types' send
      // format.
      sql.append(", binary 'true'");
    }
    if (facts.majorVersion() >= 16) {
      // Before 16 there is no option, and every transaction is sent (SetupChecks refuses none).
      sql.append(", origin '")
          .append(settings.stream().origin() == StreamSettings.OriginFilter.NONE ? "none" : "any")
          .append("'");
    }
    sql.append(")");
    stream.start(sql.toString());
  }

  /**
   * Bounds every blocking read and write of the stream by the liveness timeout. Why: the
   * non-blocking read only checks that a message has started to arrive and then reads the rest
   * blocking, so a wide row cut off part-way by a dead path held the connection actor (and its
   * keepalive and liveness check) for the whole socket timeout. A read that gets nothing for about
   * the liveness timeout now fails; the socket timeout stays the bound when it is the shorter one.
   * The network timeout is half the liveness timeout because pgjdbc's buffered reader, when a
   * timeout hits after it has read part of what it wanted, returns that part and throws only when
   * the next read times out too: a dead path shows after two timeouts. Writes are not covered by
   * the socket timeout at all, so a {@link WriteWatchdog} bounds them. An idle stream is
   * unaffected: with nothing pending, the read returns at once.
   */
  void boundStreamingIo(Duration liveness) throws SQLException {
    stream.boundIo(liveness, settings.connection().socketTimeout());
  }

  /**
   * One CopyData message if one is already waiting, else null; never waits for the server to start
   * one.
   */
  byte[] readPending() throws SQLException {
    return stream.readPending();
  }

  void send(byte[] message) throws SQLException {
    stream.send(message);
  }

  /** See {@link CopyStream#wakeOnData}; null when the owner has to poll. */
  ReadinessWaiter wakeOnData(
      String threadName,
      java.util.function.BiConsumer<ReadinessWaiter.Wake, java.io.IOException> onWake) {
    return stream.wakeOnData(threadName, onWake);
  }

  /** Closes the socket from any thread, without the orderly goodbye (see {@link CopyStream}). */
  void abort() {
    stream.abort();
  }

  boolean streaming() {
    return stream.streaming();
  }

  @Override
  public void close() {
    try {
      // Closing the socket ends the COPY; the walsender sees the end of the connection and exits.
      connection.close();
    } catch (SQLException | RuntimeException ignored) {
      // Nothing useful to do: the connection is being thrown away.
    }
  }

  private String queryString(String sql) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static Lsn lsnOrInvalid(String s) {
    return s == null ? Lsn.INVALID : Lsn.parse(s);
  }

  static String quoteIdent(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  static String quoteLiteral(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
