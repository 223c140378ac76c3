package io.slotkeeper.cluster;

import com.typesafe.config.Config;
import io.slotkeeper.RestartSettings;
import io.slotkeeper.SettingsReader;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * How a replication source runs as a cluster singleton: its singleton name, the role of the nodes
 * that may host it, how long a hand-over may take, and how it recovers when its stream ends.
 * Immutable; every {@code withXxx} returns a changed copy. The restart back-off is the core's
 * {@link RestartSettings}, computed by the same {@link RestartSettings#delay} as a source's
 * reconnects.
 *
 * <p>Every check lives in {@link #validate()} (the style of {@code SourceSettings}): it runs in
 * {@link #create(Config)}, whose section is complete on its own, and again in {@code
 * ClusterSource.start} for settings changed with {@code withXxx}.
 *
 * <p>Read from HOCON with {@link #create(ClassicActorSystemProvider)} (path {@code
 * slotkeeper.cluster}) or {@link #create(Config)}; every key is documented in this module's {@code
 * reference.conf}. The cluster itself (downing, failure detection, lease) is configured under
 * {@code pekko.cluster}: see {@code slotkeeper-cluster.conf}.
 */
public final class ClusterSourceSettings {
  public static final String CONFIG_PATH = "slotkeeper.cluster";

  private final String singletonName;
  private final Optional<String> role;
  private final Duration drainTimeout;
  private final Duration shutdownTimeout;
  private final RestartSettings restart;
  private final Optional<Duration> failedRetryInterval;
  private final Duration statusTimeout;

  private ClusterSourceSettings(
      String singletonName,
      Optional<String> role,
      Duration drainTimeout,
      Duration shutdownTimeout,
      RestartSettings restart,
      Optional<Duration> failedRetryInterval,
      Duration statusTimeout) {
    this.singletonName = Objects.requireNonNull(singletonName);
    this.role = Objects.requireNonNull(role);
    this.drainTimeout = Objects.requireNonNull(drainTimeout);
    this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout);
    this.restart = Objects.requireNonNull(restart);
    this.failedRetryInterval = Objects.requireNonNull(failedRetryInterval);
    this.statusTimeout = Objects.requireNonNull(statusTimeout);
  }

  /** Settings from the actor system's configuration at {@code slotkeeper.cluster}. */
  public static ClusterSourceSettings create(ClassicActorSystemProvider system) {
    return create(system.classicSystem().settings().config().getConfig(CONFIG_PATH));
  }

  /**
   * Settings from a section shaped like {@code slotkeeper.cluster} in reference.conf; missing keys
   * fall back to the defaults.
   *
   * @throws IllegalArgumentException naming the key and the fix when a value is malformed
   */
  public static ClusterSourceSettings create(Config config) {
    SettingsReader c = new SettingsReader(config, CONFIG_PATH, "slotkeeper-cluster", Set.of());
    String role = c.string("role");
    return new ClusterSourceSettings(
            c.string("singleton-name"),
            role.isEmpty() ? Optional.empty() : Optional.of(role),
            c.duration("hand-over.drain-timeout"),
            c.duration("hand-over.shutdown-timeout"),
            RestartSettings.read(c),
            c.optionalDuration("failed-retry-interval", "off"),
            c.duration("status-timeout"))
        .validate();
  }

  /**
   * Checks the values against each other: the one place of every check.
   *
   * @throws IllegalArgumentException naming the key and the fix
   */
  public ClusterSourceSettings validate() {
    if (!singletonName.isEmpty() && !singletonName.matches("[A-Za-z0-9_-]{1,100}")) {
      throw bad(
          "singleton-name",
          "'" + singletonName + "' is not usable as an actor name",
          "use letters, digits, '-' and '_' only, or leave it empty for slotkeeper-<slot-name>");
    }
    if (drainTimeout.isNegative() || drainTimeout.isZero()) {
      throw bad("hand-over.drain-timeout", "must be positive", "e.g. drain-timeout = 5s");
    }
    if (shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
      throw bad("hand-over.shutdown-timeout", "must be positive", "e.g. shutdown-timeout = 3s");
    }
    restart.check(CONFIG_PATH);
    if (failedRetryInterval.map(d -> d.isNegative() || d.isZero()).orElse(false)) {
      throw bad(
          "failed-retry-interval", "must be positive or off", "e.g. failed-retry-interval = 60s");
    }
    if (statusTimeout.isNegative() || statusTimeout.isZero()) {
      throw bad("status-timeout", "must be positive", "e.g. status-timeout = 5s");
    }
    return this;
  }

  private static IllegalArgumentException bad(String key, String problem, String fix) {
    return new IllegalArgumentException(CONFIG_PATH + "." + key + " " + problem + ". Fix: " + fix);
  }

  /**
   * The configured singleton name; empty means {@code slotkeeper-<slot-name>}, see {@link
   * #singletonNameFor}.
   */
  public String singletonName() {
    return singletonName;
  }

  /** The singleton name used for a source on {@code slotName}. */
  public String singletonNameFor(String slotName) {
    return singletonName.isEmpty() ? "slotkeeper-" + slotName : singletonName;
  }

  /** Only nodes with this role host the singleton; empty means any node. */
  public Optional<String> role() {
    return role;
  }

  /** How long a hand-over waits for the stream to finish and acknowledge what it already has. */
  public Duration drainTimeout() {
    return drainTimeout;
  }

  /** How long a hand-over then waits for the final status update and the connection close. */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /** The back-off between runs on one node, and when it starts again from min-backoff. */
  public RestartSettings restart() {
    return restart;
  }

  /** How long a FAILED source waits before it tries again; empty means it stays FAILED. */
  public Optional<Duration> failedRetryInterval() {
    return failedRetryInterval;
  }

  /** The default timeout of {@link ClusterSourceHandle#status()}. */
  public Duration statusTimeout() {
    return statusTimeout;
  }

  public ClusterSourceSettings withSingletonName(String v) {
    return new ClusterSourceSettings(
        v, role, drainTimeout, shutdownTimeout, restart, failedRetryInterval, statusTimeout);
  }

  /**
   * Only nodes with {@code v} among their {@code pekko.cluster.roles} host the singleton; null or
   * empty for any.
   */
  public ClusterSourceSettings withRole(String v) {
    Optional<String> r = v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    return new ClusterSourceSettings(
        singletonName,
        r,
        drainTimeout,
        shutdownTimeout,
        restart,
        failedRetryInterval,
        statusTimeout);
  }

  public ClusterSourceSettings withHandOverTimeouts(Duration drain, Duration shutdown) {
    return new ClusterSourceSettings(
        singletonName, role, drain, shutdown, restart, failedRetryInterval, statusTimeout);
  }

  public ClusterSourceSettings withRestart(RestartSettings v) {
    return new ClusterSourceSettings(
        singletonName, role, drainTimeout, shutdownTimeout, v, failedRetryInterval, statusTimeout);
  }

  public ClusterSourceSettings withRestartBackoff(Duration min, Duration max, double randomFactor) {
    return withRestart(restart.withBackoff(min, max, randomFactor));
  }

  public ClusterSourceSettings withRestartResetAfter(Duration v) {
    return withRestart(restart.withResetAfter(v));
  }

  /** How long a FAILED source waits before trying again; null to stay FAILED. */
  public ClusterSourceSettings withFailedRetryInterval(Duration v) {
    return new ClusterSourceSettings(
        singletonName,
        role,
        drainTimeout,
        shutdownTimeout,
        restart,
        Optional.ofNullable(v),
        statusTimeout);
  }

  public ClusterSourceSettings withStatusTimeout(Duration v) {
    return new ClusterSourceSettings(
        singletonName, role, drainTimeout, shutdownTimeout, restart, failedRetryInterval, v);
  }

  /** Every value. */
  @Override
  public String toString() {
    return "ClusterSourceSettings(singletonName="
        + (singletonName.isEmpty() ? "<from slot>" : singletonName)
        + ", role="
        + role.orElse("<any>")
        + ", drainTimeout="
        + drainTimeout
        + ", shutdownTimeout="
        + shutdownTimeout
        + ", restart="
        + restart
        + ", failedRetryInterval="
        + failedRetryInterval.map(Duration::toString).orElse("off")
        + ", statusTimeout="
        + statusTimeout
        + ")";
  }
}
