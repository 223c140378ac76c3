package io.slotkeeper;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
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
  private final BackfillSettings backfill;
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
      BackfillSettings backfill,
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
    this.backfill = Objects.requireNonNull(backfill, "backfill");
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
    SettingsReader c =
        new SettingsReader(config, CONFIG_PATH, "slotkeeper-core", Set.of("connection-properties"));
    return new SourceSettings(
        new ConnectionSettings(
            c.string("url"),
            c.string("user"),
            c.string("password"),
            c.properties("connection-properties"),
            c.duration("connect-timeout"),
            c.duration("socket-timeout")),
        new SlotSettings(
            c.string("slot-name"),
            c.bool("slot.create-if-missing"),
            c.bool("slot.temporary"),
            c.bool("slot.failover"),
            c.bool("slot.drop-on-stop"),
            onInvalidated(c),
            c.duration("slot.creation.heal-interval"),
            c.optionalDuration("slot.creation.terminate-blockers-after", "off"),
            snapshot(c.string("slot.snapshot")),
            c.integer("slot.snapshot-chunk-size"),
            c.integer("slot.snapshot-readers"),
            snapshotOrder(c.string("slot.snapshot-order")),
            c.bool("slot.two-phase")),
        new PublicationSettings(
            c.stringList("publications"),
            c.bool("publication.create-if-missing"),
            c.stringList("publication.tables")),
        new StreamSettings(
            c.integer("proto-version"),
            c.optionalDuration("keepalive-interval", "auto"),
            c.duration("keepalive-max-interval"),
            c.optionalDuration("liveness-timeout", "auto"),
            c.duration("ack.flush-interval"),
            c.duration("poll.min-interval"),
            c.duration("poll.max-interval"),
            c.integer("batch-size"),
            c.bool("idle-advance"),
            c.integer("unacknowledged-warning"),
            binary(c),
            origin(c),
            streaming(c),
            new SpoolSettings(
                c.bytes("spool.memory-budget"),
                c.string("spool.directory"),
                c.bytes("spool.disk-limit")),
            c.bool("deliver-in-progress")),
        RestartSettings.read(c),
        new RetentionSettings(
            c.duration("retention.check-interval"), c.bytes("retention.safe-wal-size-warning")),
        new HeartbeatSettings(
            c.optionalDuration("heartbeat.interval", "off"),
            c.string("heartbeat.prefix"),
            c.bool("heartbeat.deliver")),
        new AdminSettings(
            c.string("admin.primary-url"),
            c.string("admin.primary-user"),
            c.string("admin.primary-password")),
        new BackfillSettings(c.string("backfill.progress-table"), c.integer("backfill.chunk-size")),
        c.string("connection-dispatcher"),
        c.string("blocking-dispatcher"));
  }

  private static SlotSettings.SnapshotOrder snapshotOrder(String value) {
    switch (value) {
      case "storage":
        return SlotSettings.SnapshotOrder.STORAGE;
      case "key":
        return SlotSettings.SnapshotOrder.KEY;
      default:
        throw new IllegalArgumentException(
            CONFIG_PATH + ".slot.snapshot-order is '" + value + "'. Fix: use storage or key");
    }
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

  private static StreamSettings.OriginFilter origin(SettingsReader c) {
    switch (c.string("origin")) {
      case "any":
        return StreamSettings.OriginFilter.ANY;
      case "none":
        return StreamSettings.OriginFilter.NONE;
      default:
        throw c.bad("origin", "must be any or none", "use any or none");
    }
  }

  private static StreamSettings.Binary binary(SettingsReader c) {
    switch (c.string("binary")) {
      case "off":
      case "false":
        return StreamSettings.Binary.OFF;
      case "on":
      case "true":
        return StreamSettings.Binary.ON;
      case "auto":
        return StreamSettings.Binary.AUTO;
      default:
        throw c.bad("binary", "must be auto, off or on", "use auto, off or on");
    }
  }

  private static StreamSettings.Streaming streaming(SettingsReader c) {
    switch (c.string("streaming")) {
      case "off":
      case "false":
        return StreamSettings.Streaming.OFF;
      case "on":
      case "true":
        return StreamSettings.Streaming.ON;
      case "parallel":
        return StreamSettings.Streaming.PARALLEL;
      case "auto":
        return StreamSettings.Streaming.AUTO;
      default:
        throw c.bad(
            "streaming", "must be auto, off, on or parallel", "use auto, off, on or parallel");
    }
  }

  private static SlotSettings.OnInvalidated onInvalidated(SettingsReader c) {
    switch (c.string("slot.on-invalidated")) {
      case "fail":
        return SlotSettings.OnInvalidated.FAIL;
      case "recreate":
        return SlotSettings.OnInvalidated.RECREATE;
      default:
        throw c.bad("slot.on-invalidated", "must be fail or recreate", "use fail or recreate");
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
    if (stream.deliverInProgress() && stream.streaming() == StreamSettings.Streaming.OFF) {
      throw bad(
          "deliver-in-progress",
          "needs streaming = on or parallel",
          "set streaming = on (PostgreSQL 14+), or deliver-in-progress = off");
    }
    if (stream.spool().memoryBudget() < 0) {
      throw bad("spool.memory-budget", "must not be negative", "e.g. memory-budget = 64 MiB");
    }
    if (stream.spool().diskLimit() < 1) {
      throw bad("spool.disk-limit", "must be positive", "e.g. disk-limit = 10 GiB");
    }
    if (stream.batchSize() < 1) {
      throw bad("batch-size", "must be at least 1, got " + stream.batchSize(), "use e.g. 500");
    }
    if (stream.ackFlushInterval().isZero() || stream.ackFlushInterval().isNegative()) {
      throw bad("ack.flush-interval", "must be positive", "e.g. flush-interval = 200ms");
    }
    if (stream.pollMinInterval().isNegative()) {
      throw bad("poll.min-interval", "must not be negative", "e.g. min-interval = 1ms");
    }
    if (stream.pollMaxInterval().compareTo(stream.pollMinInterval()) < 0) {
      throw bad(
          "poll.max-interval",
          "must be at least poll.min-interval",
          "e.g. min-interval = 1ms, max-interval = 10ms");
    }
    restart.check(CONFIG_PATH);
    positive("connect-timeout", connection.connectTimeout(), "connect-timeout = 10s");
    if (connection.socketTimeout().isNegative()) {
      throw bad("socket-timeout", "must not be negative", "e.g. socket-timeout = 60s");
    }
    if (slot.snapshotChunkSize() < 1) {
      throw bad(
          "slot.snapshot-chunk-size",
          "must be at least 1, got " + slot.snapshotChunkSize(),
          "use e.g. 10000");
    }
    if (slot.snapshotReaders() < 1) {
      throw bad(
          "slot.snapshot-readers",
          "must be at least 1, got " + slot.snapshotReaders(),
          "use e.g. 4");
    }
    stream
        .keepaliveInterval()
        .ifPresent(d -> positive("keepalive-interval", d, "keepalive-interval = auto"));
    positive(
        "keepalive-max-interval", stream.keepaliveMaxInterval(), "keepalive-max-interval = 15s");
    stream
        .livenessTimeout()
        .ifPresent(d -> positive("liveness-timeout", d, "liveness-timeout = auto"));
    if (slot.terminateBlockersAfter().filter(Duration::isNegative).isPresent()) {
      throw bad(
          "slot.creation.terminate-blockers-after",
          "must not be negative",
          "use off, or e.g. terminate-blockers-after = 2m");
    }
    if (retention.safeWalSizeWarningBytes() < 0) {
      throw bad(
          "retention.safe-wal-size-warning",
          "must not be negative",
          "e.g. safe-wal-size-warning = 1 GiB");
    }
    heartbeat.interval().ifPresent(d -> positive("heartbeat.interval", d, "interval = 30s"));
    if (slot.healInterval().isZero() || slot.healInterval().isNegative()) {
      throw bad("slot.creation.heal-interval", "must be positive", "e.g. heal-interval = 5s");
    }
    if (retention.checkInterval().isZero() || retention.checkInterval().isNegative()) {
      throw bad("retention.check-interval", "must be positive", "e.g. check-interval = 10s");
    }
    if (heartbeat.prefix().isEmpty()) {
      throw bad("heartbeat.prefix", "is empty", "use e.g. slotkeeper-heartbeat");
    }
    if (backfill.chunkSize() < 1) {
      throw bad(
          "backfill.chunk-size",
          "must be at least 1, got " + backfill.chunkSize(),
          "e.g. chunk-size = 1000");
    }
    try {
      TableName.parse(backfill.progressTable());
    } catch (IllegalArgumentException e) {
      throw bad(
          "backfill.progress-table",
          "is no table name",
          "write schema.table, e.g. progress-table = \"public.slotkeeper_backfill\"");
    }
    if (stream.unacknowledgedWarning() <= 0) {
      throw bad(
          "unacknowledged-warning", "must be positive", "e.g. unacknowledged-warning = 10000");
    }
    return this;
  }

  private static void positive(String key, Duration d, String example) {
    if (d.isZero() || d.isNegative()) {
      throw bad(key, "must be positive", "e.g. " + example);
    }
  }

  private static IllegalArgumentException bad(String key, String problem, String fix) {
    return new IllegalArgumentException(CONFIG_PATH + "." + key + " " + problem + ". Fix: " + fix);
  }

  // ------------------------------------------------------------------ the groups

  /** The online backfill: where its progress is recorded, how large its chunks are. */
  public BackfillSettings backfill() {
    return backfill;
  }

  public SourceSettings withBackfill(BackfillSettings v) {
    return copy(c -> c.backfill = v);
  }

  public SourceSettings withBackfillChunkSize(int v) {
    return withBackfill(backfill.withChunkSize(v));
  }

  public SourceSettings withBackfillProgressTable(String v) {
    return withBackfill(backfill.withProgressTable(v));
  }

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

  /** The config path of the dispatcher for the connection and source actors. */
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
    return copy(c -> c.connection = v);
  }

  public SourceSettings withSlot(SlotSettings v) {
    return copy(c -> c.slot = v);
  }

  public SourceSettings withPublication(PublicationSettings v) {
    return copy(c -> c.publication = v);
  }

  public SourceSettings withStream(StreamSettings v) {
    return copy(c -> c.stream = v);
  }

  public SourceSettings withRestart(RestartSettings v) {
    return copy(c -> c.restart = v);
  }

  public SourceSettings withRetention(RetentionSettings v) {
    return copy(c -> c.retention = v);
  }

  public SourceSettings withHeartbeat(HeartbeatSettings v) {
    return copy(c -> c.heartbeat = v);
  }

  public SourceSettings withAdmin(AdminSettings v) {
    return copy(c -> c.admin = v);
  }

  /** The config path of the dispatcher for the connection and source actors. */
  public SourceSettings withConnectionDispatcher(String v) {
    return copy(c -> c.connectionDispatcher = v);
  }

  /** The config path of the dispatcher for the administrative JDBC. */
  public SourceSettings withBlockingDispatcher(String v) {
    return copy(c -> c.blockingDispatcher = v);
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

  public SourceSettings withTwoPhase(boolean v) {
    return withSlot(slot.withTwoPhase(v));
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

  public SourceSettings withSnapshotOrder(SlotSettings.SnapshotOrder v) {
    return withSlot(slot.withSnapshotOrder(v));
  }

  public SourceSettings withSnapshotReaders(int v) {
    return withSlot(slot.withSnapshotReaders(v));
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

  public SourceSettings withStreaming(StreamSettings.Streaming v) {
    return withStream(stream.withStreaming(v));
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
        + ", backfill="
        + backfill
        + ", connectionDispatcher="
        + connectionDispatcher
        + ", blockingDispatcher="
        + blockingDispatcher
        + ")";
  }

  /**
   * A mutable copy of every field, so each {@code withXxx} names only the field it changes instead
   * of repeating the whole constructor.
   */
  private static final class Copy {
    ConnectionSettings connection;
    SlotSettings slot;
    PublicationSettings publication;
    StreamSettings stream;
    RestartSettings restart;
    RetentionSettings retention;
    HeartbeatSettings heartbeat;
    AdminSettings admin;
    BackfillSettings backfill;
    String connectionDispatcher;
    String blockingDispatcher;

    Copy(SourceSettings s) {
      connection = s.connection;
      slot = s.slot;
      publication = s.publication;
      stream = s.stream;
      restart = s.restart;
      retention = s.retention;
      heartbeat = s.heartbeat;
      admin = s.admin;
      backfill = s.backfill;
      connectionDispatcher = s.connectionDispatcher;
      blockingDispatcher = s.blockingDispatcher;
    }
  }

  private SourceSettings copy(Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return new SourceSettings(
        c.connection,
        c.slot,
        c.publication,
        c.stream,
        c.restart,
        c.retention,
        c.heartbeat,
        c.admin,
        c.backfill,
        c.connectionDispatcher,
        c.blockingDispatcher);
  }
}
