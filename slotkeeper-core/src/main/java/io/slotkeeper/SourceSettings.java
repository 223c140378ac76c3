package io.slotkeeper;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
public final class SourceSettings {
  public static final String CONFIG_PATH = "slotkeeper.source";
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

  private final String url;
  private final String user;
  private final String password;
  private final Map<String, String> connectionProperties;
  private final String slotName;
  private final List<String> publications;
  private final int protoVersion;
  private final Duration connectTimeout;
  private final Duration socketTimeout;
  private final Optional<Duration> keepaliveInterval;
  private final Duration keepaliveMaxInterval;
  private final Optional<Duration> livenessTimeout;
  private final Duration pollMinInterval;
  private final Duration pollMaxInterval;
  private final int batchSize;
  private final Duration restartMinBackoff;
  private final Duration restartMaxBackoff;
  private final double restartRandomFactor;
  private final Duration restartResetAfter;
  private final boolean createSlotIfMissing;
  private final String connectionDispatcher;

  private SourceSettings(
      String url, String user, String password, Map<String, String> connectionProperties, String slotName,
      List<String> publications, int protoVersion, Duration connectTimeout, Duration socketTimeout,
      Optional<Duration> keepaliveInterval, Duration keepaliveMaxInterval, Optional<Duration> livenessTimeout,
      Duration pollMinInterval, Duration pollMaxInterval, int batchSize, Duration restartMinBackoff,
      Duration restartMaxBackoff, double restartRandomFactor, Duration restartResetAfter,
      boolean createSlotIfMissing, String connectionDispatcher) {
    this.url = Objects.requireNonNull(url);
    this.user = Objects.requireNonNull(user);
    this.password = Objects.requireNonNull(password);
    this.connectionProperties = Map.copyOf(connectionProperties);
    this.slotName = Objects.requireNonNull(slotName);
    this.publications = List.copyOf(publications);
    this.protoVersion = protoVersion;
    this.connectTimeout = connectTimeout;
    this.socketTimeout = socketTimeout;
    this.keepaliveInterval = keepaliveInterval;
    this.keepaliveMaxInterval = keepaliveMaxInterval;
    this.livenessTimeout = livenessTimeout;
    this.pollMinInterval = pollMinInterval;
    this.pollMaxInterval = pollMaxInterval;
    this.batchSize = batchSize;
    this.restartMinBackoff = restartMinBackoff;
    this.restartMaxBackoff = restartMaxBackoff;
    this.restartRandomFactor = restartRandomFactor;
    this.restartResetAfter = restartResetAfter;
    this.createSlotIfMissing = createSlotIfMissing;
    this.connectionDispatcher = connectionDispatcher;
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
    Config c = config.withFallback(com.typesafe.config.ConfigFactory.defaultReference().getConfig(CONFIG_PATH));
    try {
      Map<String, String> props = new TreeMap<>();
      for (Map.Entry<String, ConfigValue> e : c.getConfig("connection-properties").entrySet()) {
        props.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
      }
      return new SourceSettings(
          c.getString("url"), c.getString("user"), c.getString("password"), props, c.getString("slot-name"),
          c.getStringList("publications"), c.getInt("proto-version"), c.getDuration("connect-timeout"),
          c.getDuration("socket-timeout"), autoOrDuration(c, "keepalive-interval"),
          c.getDuration("keepalive-max-interval"), autoOrDuration(c, "liveness-timeout"),
          c.getDuration("poll.min-interval"), c.getDuration("poll.max-interval"), c.getInt("batch-size"),
          c.getDuration("restart.min-backoff"), c.getDuration("restart.max-backoff"),
          c.getDouble("restart.random-factor"), c.getDuration("restart.reset-after"),
          c.getBoolean("slot.create-if-missing"), c.getString("connection-dispatcher"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("bad Slotkeeper configuration: " + e.getMessage()
          + ". Fix: correct that key (see slotkeeper-core's reference.conf for its meaning and unit)", e);
    }
  }

  private static Optional<Duration> autoOrDuration(Config c, String key) {
    if ("auto".equals(c.getValue(key).unwrapped())) {
      return Optional.empty();
    }
    return Optional.of(c.getDuration(key));
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
    return this;
  }

  private static IllegalArgumentException bad(String key, String problem, String fix) {
    return new IllegalArgumentException(CONFIG_PATH + "." + key + " " + problem + ". Fix: " + fix);
  }

  /** pgjdbc properties for this source's connections, without replication-specific ones. */
  public Properties jdbcProperties() {
    Properties p = new Properties();
    p.putAll(connectionProperties);
    if (!user.isEmpty()) {
      p.setProperty("user", user);
    }
    if (!password.isEmpty()) {
      p.setProperty("password", password);
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
  public String connectionDispatcher() { return connectionDispatcher; }

  private Builder copy() { return new Builder(this); }

  public SourceSettings withUrl(String v) { Builder b = copy(); b.url = v; return b.build(); }
  public SourceSettings withUser(String v) { Builder b = copy(); b.user = v; return b.build(); }
  public SourceSettings withPassword(String v) { Builder b = copy(); b.password = v; return b.build(); }
  public SourceSettings withConnectionProperty(String k, String v) {
    Builder b = copy();
    Map<String, String> m = new TreeMap<>(connectionProperties);
    m.put(k, v);
    b.connectionProperties = m;
    return b.build();
  }
  public SourceSettings withSlotName(String v) { Builder b = copy(); b.slotName = v; return b.build(); }
  public SourceSettings withPublications(List<String> v) { Builder b = copy(); b.publications = v; return b.build(); }
  public SourceSettings withPublications(String... v) { return withPublications(List.of(v)); }
  public SourceSettings withProtoVersion(int v) { Builder b = copy(); b.protoVersion = v; return b.build(); }
  public SourceSettings withConnectTimeout(Duration v) { Builder b = copy(); b.connectTimeout = v; return b.build(); }
  public SourceSettings withSocketTimeout(Duration v) { Builder b = copy(); b.socketTimeout = v; return b.build(); }
  public SourceSettings withKeepaliveInterval(Duration v) {
    Builder b = copy(); b.keepaliveInterval = Optional.ofNullable(v); return b.build();
  }
  public SourceSettings withKeepaliveMaxInterval(Duration v) {
    Builder b = copy(); b.keepaliveMaxInterval = v; return b.build();
  }
  public SourceSettings withLivenessTimeout(Duration v) {
    Builder b = copy(); b.livenessTimeout = Optional.ofNullable(v); return b.build();
  }
  public SourceSettings withPollInterval(Duration min, Duration max) {
    Builder b = copy(); b.pollMinInterval = min; b.pollMaxInterval = max; return b.build();
  }
  public SourceSettings withBatchSize(int v) { Builder b = copy(); b.batchSize = v; return b.build(); }
  public SourceSettings withRestartBackoff(Duration min, Duration max, double randomFactor) {
    Builder b = copy();
    b.restartMinBackoff = min;
    b.restartMaxBackoff = max;
    b.restartRandomFactor = randomFactor;
    return b.build();
  }
  public SourceSettings withRestartResetAfter(Duration v) { Builder b = copy(); b.restartResetAfter = v; return b.build(); }
  public SourceSettings withCreateSlotIfMissing(boolean v) {
    Builder b = copy(); b.createSlotIfMissing = v; return b.build();
  }

  @Override
  public String toString() {
    return "SourceSettings(url=" + redactUrl(url) + ", user=" + user + ", password=" + (password.isEmpty() ? "" : "***")
        + ", connectionProperties=" + redactProps(connectionProperties) + ", slotName=" + slotName
        + ", publications=" + publications + ", protoVersion=" + protoVersion + ", keepaliveInterval="
        + keepaliveInterval.map(Duration::toString).orElse("auto") + ", batchSize=" + batchSize + ")";
  }

  private static Map<String, String> redactProps(Map<String, String> props) {
    Map<String, String> out = new TreeMap<>(props);
    out.replaceAll((k, v) -> k.toLowerCase(java.util.Locale.ROOT).contains("password") ? "***" : v);
    return out;
  }

  private static final class Builder {
    String url, user, password, slotName, connectionDispatcher;
    Map<String, String> connectionProperties;
    List<String> publications;
    int protoVersion, batchSize;
    Duration connectTimeout, socketTimeout, keepaliveMaxInterval, pollMinInterval, pollMaxInterval;
    Duration restartMinBackoff, restartMaxBackoff, restartResetAfter;
    Optional<Duration> keepaliveInterval, livenessTimeout;
    double restartRandomFactor;
    boolean createSlotIfMissing;

    Builder(SourceSettings s) {
      url = s.url; user = s.user; password = s.password; slotName = s.slotName;
      connectionDispatcher = s.connectionDispatcher; connectionProperties = s.connectionProperties;
      publications = s.publications; protoVersion = s.protoVersion; batchSize = s.batchSize;
      connectTimeout = s.connectTimeout; socketTimeout = s.socketTimeout;
      keepaliveMaxInterval = s.keepaliveMaxInterval; pollMinInterval = s.pollMinInterval;
      pollMaxInterval = s.pollMaxInterval; restartMinBackoff = s.restartMinBackoff;
      restartMaxBackoff = s.restartMaxBackoff; restartResetAfter = s.restartResetAfter;
      keepaliveInterval = s.keepaliveInterval; livenessTimeout = s.livenessTimeout;
      restartRandomFactor = s.restartRandomFactor; createSlotIfMissing = s.createSlotIfMissing;
    }

    SourceSettings build() {
      return new SourceSettings(url, user, password, connectionProperties, slotName, publications, protoVersion,
          connectTimeout, socketTimeout, keepaliveInterval, keepaliveMaxInterval, livenessTimeout, pollMinInterval,
          pollMaxInterval, batchSize, restartMinBackoff, restartMaxBackoff, restartRandomFactor, restartResetAfter,
          createSlotIfMissing, connectionDispatcher);
    }
  }
}
