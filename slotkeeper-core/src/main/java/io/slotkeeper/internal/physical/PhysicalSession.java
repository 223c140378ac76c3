package io.slotkeeper.internal.physical;

import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.connection.CopyEndProbe;
import io.slotkeeper.internal.connection.CopyStream;
import io.slotkeeper.internal.connection.JdbcProperties;
import io.slotkeeper.internal.connection.ReadinessWaiter;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.postgresql.PGProperty;

/**
 * One physical replication connection ({@code replication=true}) and, once started, its COPY BOTH
 * stream of WAL. Blocking; used only by the {@link PhysicalConnectionActor} that owns it. Like the
 * logical {@code ReplicationSession} it reads the raw COPY stream (never pgjdbc's
 * PGReplicationStream, which would report positions by itself) and peeks for a server-ended copy
 * with the same {@link CopyEndProbe}.
 */
final class PhysicalSession implements AutoCloseable {
  /** What IDENTIFY_SYSTEM says. */
  record Identity(String systemId, int timeline, Lsn position) {}

  private final SourceSettings settings;
  private final Connection connection;
  private final CopyStream stream;

  private PhysicalSession(SourceSettings settings, Connection connection) {
    this.settings = settings;
    this.connection = connection;
    this.stream =
        new CopyStream(
            connection,
            "physical replication stream (it is shutting down, the walsender was stopped, or the"
                + " timeline ended)");
  }

  static PhysicalSession open(SourceSettings settings, String applicationName) throws SQLException {
    Properties props = JdbcProperties.of(settings);
    if (!applicationName.isEmpty()) {
      // What synchronous_standby_names names, when the archiver is to be a synchronous standby.
      PGProperty.APPLICATION_NAME.set(props, applicationName);
    }
    // "true" (not "database"): a physical walsender, bound to no database.
    PGProperty.REPLICATION.set(props, "true");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    return new PhysicalSession(
        settings, DriverManager.getConnection(settings.connection().url(), props));
  }

  Identity identifySystem() throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
      rs.next();
      return new Identity(
          rs.getString("systemid"), rs.getInt("timeline"), Lsn.parse(rs.getString("xlogpos")));
    }
  }

  /** A setting as SHOW prints it (a walsender answers SHOW with units: "16MB", "60s"). */
  String show(String name) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("SHOW " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }

  int serverVersionNum() throws SQLException {
    return Integer.parseInt(show("server_version_num"));
  }

  /**
   * READ_REPLICATION_SLOT (15+): the slot's restart_lsn and its timeline; empty when there is no
   * such slot or it reserves no WAL.
   */
  Optional<StartDecision.SlotPosition> readReplicationSlot(String name) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("READ_REPLICATION_SLOT " + quoteIdent(name))) {
      if (!rs.next() || rs.getString("slot_type") == null) {
        return Optional.empty();
      }
      if (!"physical".equals(rs.getString("slot_type"))) {
        throw notPhysical(name, rs.getString("slot_type"));
      }
      String restart = rs.getString("restart_lsn");
      int tli = rs.getInt("restart_tli");
      return Optional.of(
          new StartDecision.SlotPosition(
              restart == null ? Lsn.INVALID : Lsn.parse(restart), rs.wasNull() ? 0 : tli, true));
    }
  }

  /**
   * Before 15 a walsender cannot tell a slot's position, so it is read from pg_replication_slots
   * over an ordinary connection to the URL's database (issue 14: pg_receivewal never did this).
   * Empty when there is no such slot; a slot without restart_lsn has {@link Lsn#INVALID}.
   */
  static Optional<StartDecision.SlotPosition> slotFromCatalog(SourceSettings settings, String name)
      throws SQLException {
    try (Connection c =
            DriverManager.getConnection(settings.connection().url(), JdbcProperties.of(settings));
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT slot_type, restart_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        if (!"physical".equals(rs.getString(1))) {
          throw notPhysical(name, rs.getString(1));
        }
        String restart = rs.getString(2);
        return Optional.of(
            new StartDecision.SlotPosition(
                restart == null ? Lsn.INVALID : Lsn.parse(restart), 0, false));
      }
    }
  }

  private static ClassifiedException notPhysical(String name, String type) {
    return new ClassifiedException(
        new Classification(
            ErrorClass.FATAL,
            "slot " + name + " is a " + type + " slot; archiving needs a physical one",
            "name a physical slot, or a new name with --create-slot",
            FailureKind.CONFIGURATION),
        null);
  }

  /** CREATE_REPLICATION_SLOT name PHYSICAL RESERVE_WAL. */
  void createPhysicalSlot(String name) throws SQLException {
    try (Statement st = connection.createStatement()) {
      // RESERVE_WAL: the slot holds WAL from now on, before the first START_REPLICATION.
      st.execute("CREATE_REPLICATION_SLOT " + quoteIdent(name) + " PHYSICAL RESERVE_WAL");
    }
  }

  /** What TIMELINE_HISTORY n answers: the file's name and its content. */
  record History(String fileName, String content) {}

  /**
   * TIMELINE_HISTORY n. The content column is labelled bytea but sent in text form (walsender.c
   * says so), so it is read as a string: the file's own characters.
   */
  History timelineHistory(int timeline) throws SQLException {
    try (Statement st = connection.createStatement();
        ResultSet rs = st.executeQuery("TIMELINE_HISTORY " + timeline)) {
      rs.next();
      return new History(rs.getString(1), rs.getString(2));
    }
  }

  /** The server's history of its timeline {@code current} (timeline 1 has none). */
  TimelineHistory history(int current) throws SQLException {
    if (current == 1) {
      return TimelineHistory.first();
    }
    return TimelineHistory.parse(current, timelineHistory(current).content());
  }

  /** What waits on the stream: nothing, the server's CopyDone (timeline ended), or a message. */
  CopyStream.Waiting waiting() throws SQLException {
    return stream.waiting();
  }

  /**
   * After {@link #waiting} found CopyDone: ends the COPY so that the connection takes commands
   * again.
   */
  void endStreamingAfterTimelineEnd() throws SQLException {
    stream.endAfterServerCopyDone();
  }

  /** START_REPLICATION [SLOT name] PHYSICAL start TIMELINE tli. */
  void startStreaming(String slotName, Lsn start, int timeline) throws SQLException {
    StringBuilder sql = new StringBuilder("START_REPLICATION ");
    if (!slotName.isEmpty()) {
      sql.append("SLOT ").append(quoteIdent(slotName)).append(' ');
    }
    sql.append("PHYSICAL ").append(start).append(" TIMELINE ").append(timeline);
    stream.start(sql.toString());
  }

  /** Bounds blocking reads and status-update writes once streaming, as the logical session does. */
  void boundStreamingIo(Duration liveness) throws SQLException {
    stream.boundIo(liveness, settings.connection().socketTimeout());
  }

  /** See {@link CopyStream#wakeOnData}; null when the owner has to poll. */
  ReadinessWaiter wakeOnData(
      String threadName, BiConsumer<ReadinessWaiter.Wake, IOException> onWake) {
    return stream.wakeOnData(threadName, onWake);
  }

  /** One CopyData message if one is already waiting, else null; never waits for the server. */
  byte[] readPending() throws SQLException {
    return stream.readPending();
  }

  void send(byte[] message) throws SQLException {
    stream.send(message);
  }

  void abort() {
    stream.abort();
  }

  boolean streaming() {
    return stream.streaming();
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException | RuntimeException ignored) {
      // the connection is being thrown away
    }
  }

  static String quoteIdent(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
