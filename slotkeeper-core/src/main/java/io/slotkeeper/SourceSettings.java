package io.slotkeeper;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * Everything one replication source needs: where to connect, which slot and publications, and how
 * to keep the stream alive. Immutable; every {@code withXxx} returns a changed copy.
 *
 * <p>Read from HOCON with {@link #create(ClassicActorSystemProvider)} (path
 * {@code slotkeeper.source}) or {@link #create(Config)}; see {@code reference.conf} for every key
 * with its meaning and unit. The password never appears in {@link #toString()}.
 */
public final class SourceSettings implements Cloneable {
  public static final String CONFIG_PATH = "slotkeeper.source";
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

  /** What to do with an invalidated slot. */
  public enum OnInvalidated {
    FAIL,
    RECREATE
  }

  // Immutable after construction: every withXxx works on a clone. The values themselves are
  // immutable (strings, durations, unmodifiable collections), so a shallow clone is a full copy.
  private String url;
  private String user;
  private String password;
  private Map<String, String> connectionProperties;
  private String slotName;
  private List<String> publications;
  private int protoVersion;
  private Duration connectTimeout;
  private Duration socketTimeout;
  private Optional<Duration> keepaliveInterval;
  private Duration keepaliveMaxInterval;
  private Optional<Duration> livenessTimeout;
  private Duration pollMinInterval;
  private Duration pollMaxInterval;
  private int batchSize;
  private Duration restartMinBackoff;
  private Duration restartMaxBackoff;
  private double restartRandomFactor;
  private Duration restartResetAfter;
  private boolean createSlotIfMissing;
  private boolean temporarySlot;
  private boolean failoverSlot;
  private boolean dropSlotOnStop;
  private OnInvalidated onInvalidated;
  private Duration healInterval;
  private Optional<Duration> terminateBlockersAfter;
  private boolean createPublicationIfMissing;
  private List<String> publicationTables;
  private String primaryUrl;
  private String primaryUser;
  private String primaryPassword;
  private Duration retentionCheckInterval;
  private long safeWalSizeWarningBytes;
  private Optional<Duration> heartbeatInterval;
  private String heartbeatPrefix;
  private boolean deliverHeartbeats;
  private boolean idleAdvance;
  private int unacknowledgedWarning;
  private String connectionDispatcher;
  private String blockingDispatcher;

  private SourceSettings() {}

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
      SourceSettings s = new SourceSettings();
      Map<String, String> props = new TreeMap<>();
      for (Map.Entry<String, ConfigValue> e : c.getConfig("connection-properties").entrySet()) {
        props.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
      }
      s.url = c.getString("url");
      s.user = c.getString("user");
      s.password = c.getString("password");
      s.connectionProperties = Map.copyOf(props);
      s.slotName = c.getString("slot-name");
      s.publications = List.copyOf(c.getStringList("publications"));
      s.protoVersion = c.getInt("proto-version");
      s.connectTimeout = c.getDuration("connect-timeout");
      s.socketTimeout = c.getDuration("socket-timeout");
      s.keepaliveInterval = optionalDuration(c, "keepalive-interval", "auto");
      s.keepaliveMaxInterval = c.getDuration("keepalive-max-interval");
      s.livenessTimeout = optionalDuration(c, "liveness-timeout", "auto");
      s.pollMinInterval = c.getDuration("poll.min-interval");
      s.pollMaxInterval = c.getDuration("poll.max-interval");
      s.batchSize = c.getInt("batch-size");
      s.restartMinBackoff = c.getDuration("restart.min-backoff");
      s.restartMaxBackoff = c.getDuration("restart.max-backoff");
      s.restartRandomFactor = c.getDouble("restart.random-factor");
      s.restartResetAfter = c.getDuration("restart.reset-after");
      s.createSlotIfMissing = c.getBoolean("slot.create-if-missing");
      s.temporarySlot = c.getBoolean("slot.temporary");
      s.failoverSlot = c.getBoolean("slot.failover");
      s.dropSlotOnStop = c.getBoolean("slot.drop-on-stop");
      s.onInvalidated = onInvalidated(c.getString("slot.on-invalidated"));
      s.healInterval = c.getDuration("slot.creation.heal-interval");
      s.terminateBlockersAfter = optionalDuration(c, "slot.creation.terminate-blockers-after", "off");
      s.createPublicationIfMissing = c.getBoolean("publication.create-if-missing");
      s.publicationTables = List.copyOf(c.getStringList("publication.tables"));
      s.primaryUrl = c.getString("admin.primary-url");
      s.primaryUser = c.getString("admin.primary-user");
      s.primaryPassword = c.getString("admin.primary-password");
      s.retentionCheckInterval = c.getDuration("retention.check-interval");
      s.safeWalSizeWarningBytes = c.getBytes("retention.safe-wal-size-warning");
      s.heartbeatInterval = optionalDuration(c, "heartbeat.interval", "off");
      s.heartbeatPrefix = c.getString("heartbeat.prefix");
      s.deliverHeartbeats = c.getBoolean("heartbeat.deliver");
      s.idleAdvance = c.getBoolean("idle-advance");
      s.unacknowledgedWarning = c.getInt("unacknowledged-warning");
      s.connectionDispatcher = c.getString("connection-dispatcher");
      s.blockingDispatcher = c.getString("blocking-dispatcher");
      return s;
    } catch (ConfigException e) {
      throw new IllegalArgumentException("bad Slotkeeper configuration: " + e.getMessage()
          + ". Fix: correct that key (see slotkeeper-core's reference.conf for its meaning and unit)", e);
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

  private static OnInvalidated onInvalidated(String value) {
    switch (value) {
      case "fail":
        return OnInvalidated.FAIL;
      case "recreate":
        return OnInvalidated.RECREATE;
      default:
        throw new IllegalArgumentException(CONFIG_PATH + ".slot.on-invalidated is '" + value
            + "'. Fix: use fail or recreate");
    }
  }

  /**
   * Checks what a source cannot start without.
   *
   * @throws IllegalArgumentException naming the key and the fix
   */
  public SourceSettings validate() {
    if (url.isBlank()) {
      throw bad("url", "is empty", "set it to the database's JDBC URL, e.g. jdbc:postgresql://host:5432/db");
    }
    if (!url.startsWith("jdbc:postgresql:")) {
      throw bad("url", "'" + redactUrl(url) + "' is not a PostgreSQL JDBC URL",
          "use the form jdbc:postgresql://host:port/database");
    }
    if (!SLOT_NAME.matcher(slotName).matches()) {
      throw bad("slot-name", "'" + slotName + "' is not a valid slot name",
          "use 1 to 63 lower-case letters, digits or underscores");
    }
    if (publications.isEmpty()) {
      throw bad("publications", "is empty", "name at least one publication, e.g. publications = [app_pub]");
    }
    if (protoVersion < 1 || protoVersion > 4) {
      throw bad("proto-version", "must be 1 to 4, got " + protoVersion, "use 1 unless you need a newer protocol");
    }
    if (batchSize < 1) {
      throw bad("batch-size", "must be at least 1, got " + batchSize, "use e.g. 500");
    }
    if (pollMinInterval.isNegative() || pollMaxInterval.compareTo(pollMinInterval) < 0) {
      throw bad("poll", "needs 0 <= min-interval <= max-interval", "e.g. min-interval = 1ms, max-interval = 10ms");
    }
    if (restartMaxBackoff.compareTo(restartMinBackoff) < 0 || restartRandomFactor < 0 || restartRandomFactor > 1) {
      throw bad("restart", "needs min-backoff <= max-backoff and random-factor within 0..1",
          "e.g. min-backoff = 200ms, max-backoff = 10s, random-factor = 0.2");
    }
    if (healInterval.isZero() || healInterval.isNegative()) {
      throw bad("slot.creation.heal-interval", "must be positive", "e.g. heal-interval = 5s");
    }
    if (retentionCheckInterval.isZero() || retentionCheckInterval.isNegative()) {
      throw bad("retention.check-interval", "must be positive", "e.g. check-interval = 10s");
    }
    if (heartbeatPrefix.isEmpty()) {
      throw bad("heartbeat.prefix", "is empty", "use e.g. slotkeeper-heartbeat");
    }
    if (unacknowledgedWarning <= 0) {
      throw bad("unacknowledged-warning", "must be positive", "e.g. unacknowledged-warning = 10000");
    }
    return this;
  }

  private static IllegalArgumentException bad(String key, String problem, String fix) {
    return new IllegalArgumentException(CONFIG_PATH + "." + key + " " + problem + ". Fix: " + fix);
  }

  /** pgjdbc properties for this source's connections, without replication-specific ones. */
  public Properties jdbcProperties() {
    return jdbcProperties(user, password);
  }

  /** pgjdbc properties for the primary's admin connection (standby sources only). */
  public Properties primaryJdbcProperties() {
    return jdbcProperties(primaryUser.isEmpty() ? user : primaryUser,
        primaryUser.isEmpty() && primaryPassword.isEmpty() ? password : primaryPassword);
  }

  private Properties jdbcProperties(String role, String secret) {
    Properties p = new Properties();
    p.putAll(connectionProperties);
    if (!role.isEmpty()) {
      p.setProperty("user", role);
    }
    if (!secret.isEmpty()) {
      p.setProperty("password", secret);
    }
    long connectSeconds = Math.max(1, connectTimeout.toSeconds());
    p.setProperty("connectTimeout", Long.toString(connectSeconds));
    p.setProperty("loginTimeout", Long.toString(connectSeconds));
    p.setProperty("socketTimeout", Long.toString(Math.max(1, socketTimeout.toSeconds())));
    p.setProperty("tcpKeepAlive", "true");
    p.putIfAbsent("ApplicationName", "slotkeeper:" + slotName);
    return p;
  }

  /** The database name in the URL, for messages. */
  public String databaseName() {
    String rest = url.replaceFirst("^jdbc:postgresql:(//[^/]*/)?", "");
    int q = rest.indexOf('?');
    return q < 0 ? rest : rest.substring(0, q);
  }

  static String redactUrl(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  public String url() { return url; }
  public String user() { return user; }
  public Map<String, String> connectionProperties() { return connectionProperties; }
  public String slotName() { return slotName; }
  public List<String> publications() { return publications; }
  public int protoVersion() { return protoVersion; }
  public Duration connectTimeout() { return connectTimeout; }
  public Duration socketTimeout() { return socketTimeout; }
  /** Empty means automatic: derived from the server's wal_sender_timeout. */
  public Optional<Duration> keepaliveInterval() { return keepaliveInterval; }
  public Duration keepaliveMaxInterval() { return keepaliveMaxInterval; }
  /** Empty means automatic: derived from the server's wal_sender_timeout. */
  public Optional<Duration> livenessTimeout() { return livenessTimeout; }
  public Duration pollMinInterval() { return pollMinInterval; }
  public Duration pollMaxInterval() { return pollMaxInterval; }
  public int batchSize() { return batchSize; }
  public Duration restartMinBackoff() { return restartMinBackoff; }
  public Duration restartMaxBackoff() { return restartMaxBackoff; }
  public double restartRandomFactor() { return restartRandomFactor; }
  public Duration restartResetAfter() { return restartResetAfter; }
  public boolean createSlotIfMissing() { return createSlotIfMissing; }
  public boolean temporarySlot() { return temporarySlot; }
  public boolean failoverSlot() { return failoverSlot; }
  public boolean dropSlotOnStop() { return dropSlotOnStop; }
  public OnInvalidated onInvalidated() { return onInvalidated; }
  public Duration healInterval() { return healInterval; }
  /** Empty means never terminate blockers. */
  public Optional<Duration> terminateBlockersAfter() { return terminateBlockersAfter; }
  public boolean createPublicationIfMissing() { return createPublicationIfMissing; }
  public List<String> publicationTables() { return publicationTables; }
  /** Empty means the source server itself is the primary. */
  public String primaryUrl() { return primaryUrl; }
  public Duration retentionCheckInterval() { return retentionCheckInterval; }
  public long safeWalSizeWarningBytes() { return safeWalSizeWarningBytes; }
  /** Empty means no heartbeat. */
  public Optional<Duration> heartbeatInterval() { return heartbeatInterval; }
  public String heartbeatPrefix() { return heartbeatPrefix; }
  public boolean deliverHeartbeats() { return deliverHeartbeats; }
  public boolean idleAdvance() { return idleAdvance; }
  /** Warn when more delivered units than this wait for an acknowledgement. */
  public int unacknowledgedWarning() { return unacknowledgedWarning; }
  public String connectionDispatcher() { return connectionDispatcher; }
  /** Where the administrative JDBC runs (blocker lookup and heal, retention, heartbeat, drop on stop). */
  public String blockingDispatcher() { return blockingDispatcher; }

  private SourceSettings copy() {
    try {
      return (SourceSettings) super.clone();
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }

  public SourceSettings withUrl(String v) { SourceSettings c = copy(); c.url = v; return c; }
  public SourceSettings withUser(String v) { SourceSettings c = copy(); c.user = v; return c; }
  public SourceSettings withPassword(String v) { SourceSettings c = copy(); c.password = v; return c; }
  public SourceSettings withConnectionProperty(String k, String v) {
    SourceSettings c = copy();
    Map<String, String> m = new TreeMap<>(connectionProperties);
    m.put(k, v);
    c.connectionProperties = Map.copyOf(m);
    return c;
  }
  public SourceSettings withSlotName(String v) { SourceSettings c = copy(); c.slotName = v; return c; }
  public SourceSettings withPublications(List<String> v) {
    SourceSettings c = copy(); c.publications = List.copyOf(v); return c;
  }
  public SourceSettings withPublications(String... v) { return withPublications(List.of(v)); }
  public SourceSettings withProtoVersion(int v) { SourceSettings c = copy(); c.protoVersion = v; return c; }
  public SourceSettings withConnectTimeout(Duration v) { SourceSettings c = copy(); c.connectTimeout = v; return c; }
  public SourceSettings withSocketTimeout(Duration v) { SourceSettings c = copy(); c.socketTimeout = v; return c; }
  /** A fixed keepalive interval; null restores the automatic one. */
  public SourceSettings withKeepaliveInterval(Duration v) {
    SourceSettings c = copy(); c.keepaliveInterval = Optional.ofNullable(v); return c;
  }
  public SourceSettings withKeepaliveMaxInterval(Duration v) {
    SourceSettings c = copy(); c.keepaliveMaxInterval = v; return c;
  }
  /** A fixed liveness timeout; null restores the automatic one. */
  public SourceSettings withLivenessTimeout(Duration v) {
    SourceSettings c = copy(); c.livenessTimeout = Optional.ofNullable(v); return c;
  }
  public SourceSettings withPollInterval(Duration min, Duration max) {
    SourceSettings c = copy(); c.pollMinInterval = min; c.pollMaxInterval = max; return c;
  }
  public SourceSettings withBatchSize(int v) { SourceSettings c = copy(); c.batchSize = v; return c; }
  public SourceSettings withRestartBackoff(Duration min, Duration max, double randomFactor) {
    SourceSettings c = copy();
    c.restartMinBackoff = min;
    c.restartMaxBackoff = max;
    c.restartRandomFactor = randomFactor;
    return c;
  }
  public SourceSettings withRestartResetAfter(Duration v) {
    SourceSettings c = copy(); c.restartResetAfter = v; return c;
  }
  public SourceSettings withCreateSlotIfMissing(boolean v) {
    SourceSettings c = copy(); c.createSlotIfMissing = v; return c;
  }
  public SourceSettings withTemporarySlot(boolean v) { SourceSettings c = copy(); c.temporarySlot = v; return c; }
  public SourceSettings withFailoverSlot(boolean v) { SourceSettings c = copy(); c.failoverSlot = v; return c; }
  public SourceSettings withDropSlotOnStop(boolean v) { SourceSettings c = copy(); c.dropSlotOnStop = v; return c; }
  public SourceSettings withOnInvalidated(OnInvalidated v) {
    SourceSettings c = copy(); c.onInvalidated = v; return c;
  }
  public SourceSettings withHealInterval(Duration v) { SourceSettings c = copy(); c.healInterval = v; return c; }
  /** Terminate slot-creation blockers after this long; null never terminates. */
  public SourceSettings withTerminateBlockersAfter(Duration v) {
    SourceSettings c = copy(); c.terminateBlockersAfter = Optional.ofNullable(v); return c;
  }
  /** Create missing publications, for {@code tables} or, when empty, for all tables. */
  public SourceSettings withCreatePublicationIfMissing(boolean v, List<String> tables) {
    SourceSettings c = copy();
    c.createPublicationIfMissing = v;
    c.publicationTables = List.copyOf(tables);
    return c;
  }
  public SourceSettings withPrimary(String url, String user, String password) {
    SourceSettings c = copy();
    c.primaryUrl = url;
    c.primaryUser = user;
    c.primaryPassword = password;
    return c;
  }
  public SourceSettings withRetentionCheckInterval(Duration v) {
    SourceSettings c = copy(); c.retentionCheckInterval = v; return c;
  }
  public SourceSettings withSafeWalSizeWarningBytes(long v) {
    SourceSettings c = copy(); c.safeWalSizeWarningBytes = v; return c;
  }
  /** Heartbeat every {@code v} of silence; null turns it off. */
  public SourceSettings withHeartbeatInterval(Duration v) {
    SourceSettings c = copy(); c.heartbeatInterval = Optional.ofNullable(v); return c;
  }
  public SourceSettings withHeartbeatPrefix(String v) { SourceSettings c = copy(); c.heartbeatPrefix = v; return c; }
  public SourceSettings withDeliverHeartbeats(boolean v) {
    SourceSettings c = copy(); c.deliverHeartbeats = v; return c;
  }
  public SourceSettings withIdleAdvance(boolean v) { SourceSettings c = copy(); c.idleAdvance = v; return c; }
  public SourceSettings withUnacknowledgedWarning(int v) {
    SourceSettings c = copy(); c.unacknowledgedWarning = v; return c;
  }
  /** The config path of the dispatcher for the connection actors. */
  public SourceSettings withConnectionDispatcher(String v) {
    SourceSettings c = copy(); c.connectionDispatcher = v; return c;
  }
  /** The config path of the dispatcher for the administrative JDBC. */
  public SourceSettings withBlockingDispatcher(String v) {
    SourceSettings c = copy(); c.blockingDispatcher = v; return c;
  }

  @Override
  public String toString() {
    return "SourceSettings(url=" + redactUrl(url) + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
        + ", connectionProperties=" + redactProps(connectionProperties) + ", slotName=" + slotName
        + ", publications=" + publications + ", protoVersion=" + protoVersion + ", keepaliveInterval="
        + keepaliveInterval.map(Duration::toString).orElse("auto") + ", batchSize=" + batchSize
        + ", createSlotIfMissing=" + createSlotIfMissing + ", temporarySlot=" + temporarySlot
        + ", onInvalidated=" + onInvalidated + ", primaryUrl=" + redactUrl(primaryUrl)
        + ", primaryPassword=" + (primaryPassword.isEmpty() ? "" : "***")
        + ", heartbeatInterval=" + heartbeatInterval.map(Duration::toString).orElse("off") + ")";
  }

  private static Map<String, String> redactProps(Map<String, String> props) {
    Map<String, String> out = new TreeMap<>(props);
    out.replaceAll((k, v) -> k.toLowerCase(java.util.Locale.ROOT).contains("password") ? "***" : v);
    return out;
  }
}
