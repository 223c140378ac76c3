package io.slotkeeper;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * Everything one replication source needs, in groups: {@link #connection()} (where to connect),
 * {@link #slot()}, {@link #publication()}, {@link #stream()} (keepalives, polling, acknowledgement
 * flushes), {@link #restart()}, {@link #retention()}, {@link #heartbeat()}, {@link #admin()}, and
 * the two dispatchers. Immutable, like every group; every {@code withXxx} returns a changed copy.
 * Read a value as {@code settings.slot().name()}; change a group with {@code withSlot(...)} or one
 * value with a shortcut such as {@link #withSlotName}.
 *
 * <p>Read from HOCON with {@link #create(ClassicActorSystemProvider)} (path {@code
 * slotkeeper.source}) or {@link #create(Config)}; see {@code reference.conf} for every key with its
 * meaning and unit.
 *
 * <p>Every check lives in {@link #validate()}, which the engine runs when a source starts: the
 * defaults name no database, slot or publication, so settings are complete only once the caller has
 * set those (ClusterSourceSettings follows the same style). {@link #toString()} lists every value
 * with the secrets masked.
 */
public final class SourceSettings {
  public static final String CONFIG_PATH = "slotkeeper.source";
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

  private final ConnectionSettings connection;
  private final SlotSettings slot;
  private final PublicationSettings publication;
  private final StreamSettings stream;
  private final RestartSettings restart;
  private final RetentionSettings retention;
  private final HeartbeatSettings heartbeat;
  private final AdminSettings admin;
  private final String connectionDispatcher;
  private final String blockingDispatcher;

  private SourceSettings(
      ConnectionSettings connection,
      SlotSettings slot,
      PublicationSettings publication,
      StreamSettings stream,
      RestartSettings restart,
      RetentionSettings retention,
      HeartbeatSettings heartbeat,
      AdminSettings admin,
      String connectionDispatcher,
      String blockingDispatcher) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.slot = Objects.requireNonNull(slot, "slot");
    this.publication = Objects.requireNonNull(publication, "publication");
    this.stream = Objects.requireNonNull(stream, "stream");
    this.restart = Objects.requireNonNull(restart, "restart");
    this.retention = Objects.requireNonNull(retention, "retention");
    this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    this.admin = Objects.requireNonNull(admin, "admin");
    this.connectionDispatcher =
        Objects.requireNonNull(connectionDispatcher, "connectionDispatcher");
    this.blockingDispatcher = Objects.requireNonNull(blockingDispatcher, "blockingDispatcher");
  }

  /** Settings from the actor system's configuration at {@code slotkeeper.source}. */
  public static SourceSettings create(ClassicActorSystemProvider system) {
    return create(system.classicSystem().settings().config().getConfig(CONFIG_PATH));
  }

  /**
   * Settings from a config section shaped like {@code slotkeeper.source} in reference.conf. Keys
   * missing from {@code config} fall back to the defaults.
   *
   * @throws IllegalArgumentException naming the key and the fix when a value is malformed
   */
  public static SourceSettings create(Config config) {
    Config c = config.withFallback(ConfigFactory.defaultReference().getConfig(CONFIG_PATH));
    try {
      Map<String, String> props = new TreeMap<>();
      for (Map.Entry<String, ConfigValue> e : c.getConfig("connection-properties").entrySet()) {
        props.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
      }
      return new SourceSettings(
          new ConnectionSettings(
              c.getString("url"),
              c.getString("user"),
              c.getString("password"),
              props,
              c.getDuration("connect-timeout"),
              c.getDuration("socket-timeout")),
          new SlotSettings(
              c.getString("slot-name"),
              c.getBoolean("slot.create-if-missing"),
              c.getBoolean("slot.temporary"),
              c.getBoolean("slot.failover"),
              c.getBoolean("slot.drop-on-stop"),
              onInvalidated(c.getString("slot.on-invalidated")),
              c.getDuration("slot.creation.heal-interval"),
              optionalDuration(c, "slot.creation.terminate-blockers-after", "off"),
              snapshot(c.getString("slot.snapshot")),
              c.getInt("slot.snapshot-chunk-size")),
          new PublicationSettings(
              c.getStringList("publications"),
              c.getBoolean("publication.create-if-missing"),
              c.getStringList("publication.tables")),
          new StreamSettings(
              c.getInt("proto-version"),
              optionalDuration(c, "keepalive-interval", "auto"),
              c.getDuration("keepalive-max-interval"),
              optionalDuration(c, "liveness-timeout", "auto"),
              c.getDuration("ack.flush-interval"),
              c.getDuration("poll.min-interval"),
              c.getDuration("poll.max-interval"),
              c.getInt("batch-size"),
              c.getBoolean("idle-advance"),
              c.getInt("unacknowledged-warning")),
          RestartSettings.create(c),
          new RetentionSettings(
              c.getDuration("retention.check-interval"),
              c.getBytes("retention.safe-wal-size-warning")),
          new HeartbeatSettings(
              optionalDuration(c, "heartbeat.interval", "off"),
              c.getString("heartbeat.prefix"),
              c.getBoolean("heartbeat.deliver")),
          new AdminSettings(
              c.getString("admin.primary-url"),
              c.getString("admin.primary-user"),
              c.getString("admin.primary-password")),
          c.getString("connection-dispatcher"),
          c.getString("blocking-dispatcher"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          "bad Slotkeeper configuration: "
              + e.getMessage()
              + ". Fix: correct that key (see slotkeeper-core's reference.conf for its meaning and unit)",
          e);
    }
  }

  /** A duration, or empty for the word that means "none"/"automatic" (HOCON reads off as false). */
  private static Optional<Duration> optionalDuration(Config c, String key, String word) {
    Object raw = c.getValue(key).unwrapped();
    if (word.equals(raw) || Boolean.FALSE.equals(raw) || "off".equals(raw)) {
      return Optional.empty();
    }
    return Optional.of(c.getDuration(key));
  }

  private static SlotSettings.Snapshot snapshot(String value) {
    switch (value) {
      case "off":
      case "false":
        return SlotSettings.Snapshot.OFF;
      case "initial":
        return SlotSettings.Snapshot.INITIAL;
      default:
        throw new IllegalArgumentException(
            CONFIG_PATH + ".slot.snapshot is '" + value + "'. Fix: use off or initial");
    }
  }

  private static SlotSettings.OnInvalidated onInvalidated(String value) {
    switch (value) {
      case "fail":
        return SlotSettings.OnInvalidated.FAIL;
      case "recreate":
        return SlotSettings.OnInvalidated.RECREATE;
      default:
        throw new IllegalArgumentException(
            CONFIG_PATH + ".slot.on-invalidated is '" + value + "'. Fix: use fail or recreate");
    }
  }

  /**
   * Checks what a source cannot start without, and the values against each other: the one place of
   * every check.
   *
   * @throws IllegalArgumentException naming the key and the fix
   */
  public SourceSettings validate() {
    String url = connection.url();
    if (url.isBlank()) {
      throw bad(
          "url",
          "is empty",
          "set it to the database's JDBC URL, e.g. jdbc:postgresql://host:5432/db");
    }
    if (!url.startsWith("jdbc:postgresql:")) {
      throw bad(
          "url",
          "'" + Redaction.url(url) + "' is not a PostgreSQL JDBC URL",
          "use the form jdbc:postgresql://host:port/database");
    }
    if (!SLOT_NAME.matcher(slot.name()).matches()) {
      throw bad(
          "slot-name",
          "'" + slot.name() + "' is not a valid slot name",
          "use 1 to 63 lower-case letters, digits or underscores");
    }
    if (publication.names().isEmpty()) {
      throw bad(
          "publications",
          "is empty",
          "name at least one publication, e.g. publications = [app_pub]");
    }
    if (stream.protoVersion() < 1 || stream.protoVersion() > 4) {
      throw bad(
          "proto-version",
          "must be 1 to 4, got " + stream.protoVersion(),
          "use 1 unless you need a newer protocol");
    }
    if (stream.batchSize() < 1) {
      throw bad("batch-size", "must be at least 1, got " + stream.batchSize(), "use e.g. 500");
    }
    if (stream.ackFlushInterval().isZero() || stream.ackFlushInterval().isNegative()) {
      throw bad("ack.flush-interval", "must be positive", "e.g. flush-interval = 200ms");
    }
    if (stream.pollMinInterval().isNegative()
        || stream.pollMaxInterval().compareTo(stream.pollMinInterval()) < 0) {
      throw bad(
          "poll",
          "needs 0 <= min-interval <= max-interval",
          "e.g. min-interval = 1ms, max-interval = 10ms");
    }
    restart.validate(CONFIG_PATH);
    if (slot.snapshotChunkSize() < 1) {
      throw bad(
          "slot.snapshot-chunk-size",
          "must be at least 1, got " + slot.snapshotChunkSize(),
          "use e.g. 10000");
    }
    if (slot.healInterval().isZero() || slot.healInterval().isNegative()) {
      throw bad("slot.creation.heal-interval", "must be positive", "e.g. heal-interval = 5s");
    }
    if (retention.checkInterval().isZero() || retention.checkInterval().isNegative()) {
      throw bad("retention.check-interval", "must be positive", "e.g. check-interval = 10s");
    }
    if (heartbeat.prefix().isEmpty()) {
      throw bad("heartbeat.prefix", "is empty", "use e.g. slotkeeper-heartbeat");
    }
    if (stream.unacknowledgedWarning() <= 0) {
      throw bad(
          "unacknowledged-warning", "must be positive", "e.g. unacknowledged-warning = 10000");
    }
    return this;
  }

  private static IllegalArgumentException bad(String key, String problem, String fix) {
    return new IllegalArgumentException(CONFIG_PATH + "." + key + " " + problem + ". Fix: " + fix);
  }

  // ------------------------------------------------------------------ the groups

  /** URL, role, password, pgjdbc properties, timeouts. */
  public ConnectionSettings connection() {
    return connection;
  }

  /** The slot's name and its life cycle. */
  public SlotSettings slot() {
    return slot;
  }

  /** Which publications are streamed, and whether they are created. */
  public PublicationSettings publication() {
    return publication;
  }

  /** Protocol version, keepalives, liveness, acknowledgement flushes, polling, batches. */
  public StreamSettings stream() {
    return stream;
  }

  /** The reconnect back-off. */
  public RestartSettings restart() {
    return restart;
  }

  /** Retained-WAL checks. */
  public RetentionSettings retention() {
    return retention;
  }

  /** Heartbeat messages. */
  public HeartbeatSettings heartbeat() {
    return heartbeat;
  }

  /** The primary for administrative queries, when the source server is a standby. */
  public AdminSettings admin() {
    return admin;
  }

  /** The config path of the dispatcher for the connection actors. */
  public String connectionDispatcher() {
    return connectionDispatcher;
  }

  /**
   * Where the administrative JDBC runs (blocker lookup and heal, retention, heartbeat, drop on
   * stop).
   */
  public String blockingDispatcher() {
    return blockingDispatcher;
  }

  public SourceSettings withConnection(ConnectionSettings v) {
    return new SourceSettings(
        v,
        slot,
        publication,
        stream,
        restart,
        retention,
        heartbeat,
        admin,
        connectionDispatcher,
        blockingDispatcher);
  }

  public SourceSettings withSlot(SlotSettings v) {
    return new SourceSettings(
        connection,
        v,
        publication,
        stream,
        restart,
        retention,
        heartbeat,
        admin,
        connectionDispatcher,
        blockingDispatcher);
  }

  public SourceSettings withPublication(PublicationSettings v) {
    return new SourceSettings(
        connection,
        slot,
        v,
        stream,
        restart,
        retention,
        heartbeat,
        admin,
        connectionDispatcher,
        blockingDispatcher);
  }

  public SourceSettings withStream(StreamSettings v) {
    return new SourceSettings(
        connection,
        slot,
        publication,
        v,
        restart,
        retention,
        heartbeat,
        admin,
        connectionDispatcher,
        blockingDispatcher);
  }

  public SourceSettings withRestart(RestartSettings v) {
    return new SourceSettings(
        connection,
        slot,
        publication,
        stream,
        v,
        retention,
        heartbeat,
        admin,
        connectionDispatcher,
        blockingDispatcher);
  }

  public SourceSettings withRetention(RetentionSettings v) {
    return new SourceSettings(
        connection,
        slot,
        publication,
        stream,
        restart,
        v,
        heartbeat,
        admin,
        connectionDispatcher,
        blockingDispatcher);
  }

  public SourceSettings withHeartbeat(HeartbeatSettings v) {
    return new SourceSettings(
        connection,
        slot,
        publication,
        stream,
        restart,
        retention,
        v,
        admin,
        connectionDispatcher,
        blockingDispatcher);
  }

  public SourceSettings withAdmin(AdminSettings v) {
    return new SourceSettings(
        connection,
        slot,
        publication,
        stream,
        restart,
        retention,
        heartbeat,
        v,
        connectionDispatcher,
        blockingDispatcher);
  }

  /** The config path of the dispatcher for the connection actors. */
  public SourceSettings withConnectionDispatcher(String v) {
    return new SourceSettings(
        connection,
        slot,
        publication,
        stream,
        restart,
        retention,
        heartbeat,
        admin,
        v,
        blockingDispatcher);
  }

  /** The config path of the dispatcher for the administrative JDBC. */
  public SourceSettings withBlockingDispatcher(String v) {
    return new SourceSettings(
        connection,
        slot,
        publication,
        stream,
        restart,
        retention,
        heartbeat,
        admin,
        connectionDispatcher,
        v);
  }

  // ------------------------------------------------------------------ shortcuts for one value

  public SourceSettings withUrl(String v) {
    return withConnection(connection.withUrl(v));
  }

  public SourceSettings withUser(String v) {
    return withConnection(connection.withUser(v));
  }

  public SourceSettings withPassword(String v) {
    return withConnection(connection.withPassword(v));
  }

  public SourceSettings withConnectionProperty(String k, String v) {
    return withConnection(connection.withProperty(k, v));
  }

  public SourceSettings withConnectTimeout(Duration v) {
    return withConnection(connection.withConnectTimeout(v));
  }

  public SourceSettings withSocketTimeout(Duration v) {
    return withConnection(connection.withSocketTimeout(v));
  }

  public SourceSettings withSlotName(String v) {
    return withSlot(slot.withName(v));
  }

  public SourceSettings withCreateSlotIfMissing(boolean v) {
    return withSlot(slot.withCreateIfMissing(v));
  }

  public SourceSettings withTemporarySlot(boolean v) {
    return withSlot(slot.withTemporary(v));
  }

  public SourceSettings withFailoverSlot(boolean v) {
    return withSlot(slot.withFailover(v));
  }

  public SourceSettings withDropSlotOnStop(boolean v) {
    return withSlot(slot.withDropOnStop(v));
  }

  public SourceSettings withOnInvalidated(SlotSettings.OnInvalidated v) {
    return withSlot(slot.withOnInvalidated(v));
  }

  public SourceSettings withSnapshot(SlotSettings.Snapshot v) {
    return withSlot(slot.withSnapshot(v));
  }

  public SourceSettings withSnapshotChunkSize(int v) {
    return withSlot(slot.withSnapshotChunkSize(v));
  }

  public SourceSettings withHealInterval(Duration v) {
    return withSlot(slot.withHealInterval(v));
  }

  /** Terminate slot-creation blockers after this long; null never terminates. */
  public SourceSettings withTerminateBlockersAfter(Duration v) {
    return withSlot(slot.withTerminateBlockersAfter(v));
  }

  public SourceSettings withPublications(List<String> v) {
    return withPublication(publication.withNames(v));
  }

  public SourceSettings withPublications(String... v) {
    return withPublications(List.of(v));
  }

  /** Create missing publications, for {@code tables} or, when empty, for all tables. */
  public SourceSettings withCreatePublicationIfMissing(boolean v, List<String> tables) {
    return withPublication(publication.withCreateIfMissing(v).withTables(tables));
  }

  public SourceSettings withProtoVersion(int v) {
    return withStream(stream.withProtoVersion(v));
  }

  /** A fixed keepalive interval; null restores the automatic one. */
  public SourceSettings withKeepaliveInterval(Duration v) {
    return withStream(stream.withKeepaliveInterval(v));
  }

  public SourceSettings withKeepaliveMaxInterval(Duration v) {
    return withStream(stream.withKeepaliveMaxInterval(v));
  }

  /** A fixed liveness timeout; null restores the automatic one. */
  public SourceSettings withLivenessTimeout(Duration v) {
    return withStream(stream.withLivenessTimeout(v));
  }

  public SourceSettings withAckFlushInterval(Duration v) {
    return withStream(stream.withAckFlushInterval(v));
  }

  public SourceSettings withPollInterval(Duration min, Duration max) {
    return withStream(stream.withPollInterval(min, max));
  }

  public SourceSettings withBatchSize(int v) {
    return withStream(stream.withBatchSize(v));
  }

  public SourceSettings withIdleAdvance(boolean v) {
    return withStream(stream.withIdleAdvance(v));
  }

  public SourceSettings withUnacknowledgedWarning(int v) {
    return withStream(stream.withUnacknowledgedWarning(v));
  }

  public SourceSettings withRestartBackoff(Duration min, Duration max, double randomFactor) {
    return withRestart(restart.withBackoff(min, max, randomFactor));
  }

  public SourceSettings withRestartResetAfter(Duration v) {
    return withRestart(restart.withResetAfter(v));
  }

  public SourceSettings withRetentionCheckInterval(Duration v) {
    return withRetention(retention.withCheckInterval(v));
  }

  public SourceSettings withSafeWalSizeWarningBytes(long v) {
    return withRetention(retention.withSafeWalSizeWarningBytes(v));
  }

  /** Heartbeat every {@code v} of silence; null turns it off. */
  public SourceSettings withHeartbeatInterval(Duration v) {
    return withHeartbeat(heartbeat.withInterval(v));
  }

  public SourceSettings withHeartbeatPrefix(String v) {
    return withHeartbeat(heartbeat.withPrefix(v));
  }

  public SourceSettings withDeliverHeartbeats(boolean v) {
    return withHeartbeat(heartbeat.withDeliver(v));
  }

  public SourceSettings withPrimary(String url, String user, String password) {
    return withAdmin(admin.withPrimary(url, user, password));
  }

  /**
   * Every value, secrets masked (password, primary password, password-like properties, password= in
   * URLs).
   */
  @Override
  public String toString() {
    return "SourceSettings(connection="
        + connection
        + ", slot="
        + slot
        + ", publication="
        + publication
        + ", stream="
        + stream
        + ", restart="
        + restart
        + ", retention="
        + retention
        + ", heartbeat="
        + heartbeat
        + ", admin="
        + admin
        + ", connectionDispatcher="
        + connectionDispatcher
        + ", blockingDispatcher="
        + blockingDispatcher
        + ")";
  }
}
