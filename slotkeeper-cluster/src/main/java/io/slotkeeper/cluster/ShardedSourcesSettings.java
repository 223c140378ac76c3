package io.slotkeeper.cluster;

import com.typesafe.config.Config;
import io.slotkeeper.SettingsReader;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.ClassicActorSystemProvider;

/**
 * How {@link ShardedSources} runs many sources as Cluster Sharding entities: the entity type's
 * name, the role of the nodes that host sources, the registry of sources, and the timeouts of the
 * API. How each source runs (hand-over timeouts, restarts between runs, retry of a FAILED source)
 * is the same as for a singleton source: {@link #runs()}, a {@link ClusterSourceSettings} read from
 * {@code slotkeeper.cluster}. Immutable; every {@code withXxx} returns a changed copy; every check
 * lives in {@link #validate()}.
 */
public final class ShardedSourcesSettings {
  public static final String CONFIG_PATH = "slotkeeper.sharded-sources";

  private final String entityTypeName;
  private final Optional<String> role;
  private final String registryKey;
  private final Duration registryTimeout;
  private final Duration statusTimeout;
  private final Duration removeTimeout;
  private final ClusterSourceSettings runs;

  private ShardedSourcesSettings(
      String entityTypeName,
      Optional<String> role,
      String registryKey,
      Duration registryTimeout,
      Duration statusTimeout,
      Duration removeTimeout,
      ClusterSourceSettings runs) {
    this.entityTypeName = Objects.requireNonNull(entityTypeName);
    this.role = Objects.requireNonNull(role);
    this.registryKey = Objects.requireNonNull(registryKey);
    this.registryTimeout = Objects.requireNonNull(registryTimeout);
    this.statusTimeout = Objects.requireNonNull(statusTimeout);
    this.removeTimeout = Objects.requireNonNull(removeTimeout);
    this.runs = Objects.requireNonNull(runs);
  }

  /**
   * From the actor system's configuration: {@code slotkeeper.sharded-sources}, and {@code
   * slotkeeper.cluster} for {@link #runs()}.
   */
  public static ShardedSourcesSettings create(ClassicActorSystemProvider system) {
    return create(
        system.classicSystem().settings().config().getConfig(CONFIG_PATH),
        ClusterSourceSettings.create(system));
  }

  /**
   * From a section shaped like {@code slotkeeper.sharded-sources}; missing keys fall back to the
   * defaults.
   *
   * @throws IllegalArgumentException naming the key and the fix when a value is malformed
   */
  public static ShardedSourcesSettings create(Config config, ClusterSourceSettings runs) {
    SettingsReader c = new SettingsReader(config, CONFIG_PATH, "slotkeeper-cluster", Set.of());
    String role = c.string("role");
    return new ShardedSourcesSettings(
            c.string("entity-type-name"),
            role.isEmpty() ? Optional.empty() : Optional.of(role),
            c.string("registry.key"),
            c.duration("registry.timeout"),
            c.duration("status-timeout"),
            c.duration("remove-timeout"),
            runs)
        .validate();
  }

  /**
   * The one place of every check.
   *
   * @throws IllegalArgumentException naming the key and the fix
   */
  public ShardedSourcesSettings validate() {
    if (!entityTypeName.matches("[A-Za-z0-9_-]{1,100}")) {
      throw bad(
          "entity-type-name",
          "'" + entityTypeName + "' is not usable as an actor name",
          "use letters, digits, '-' and '_' only");
    }
    if (registryKey.isBlank()) {
      throw bad("registry.key", "must not be empty", "e.g. key = \"slotkeeper-sources\"");
    }
    positive("registry.timeout", registryTimeout, "timeout = 5s");
    positive("status-timeout", statusTimeout, "status-timeout = 5s");
    positive("remove-timeout", removeTimeout, "remove-timeout = 60s");
    runs.validate();
    return this;
  }

  private static void positive(String key, Duration d, String example) {
    if (d.isNegative() || d.isZero()) {
      throw bad(key, "must be positive", "e.g. " + example);
    }
  }

  private static IllegalArgumentException bad(String key, String problem, String fix) {
    return new IllegalArgumentException(CONFIG_PATH + "." + key + " " + problem + ". Fix: " + fix);
  }

  /** The Cluster Sharding entity type of the sources; the same on every node. */
  public String entityTypeName() {
    return entityTypeName;
  }

  /** Only nodes with this role host sources; empty means any node. */
  public Optional<String> role() {
    return role;
  }

  /** The Distributed Data key of the default registry. */
  public String registryKey() {
    return registryKey;
  }

  /** How long a registry read or write waits for a majority of the nodes. */
  public Duration registryTimeout() {
    return registryTimeout;
  }

  /** How long a status question waits for a source's answer. */
  public Duration statusTimeout() {
    return statusTimeout;
  }

  /** How long a removal waits for the source to drain and stop, and for its slot to be dropped. */
  public Duration removeTimeout() {
    return removeTimeout;
  }

  /** How each source runs: hand-over, restarts between runs, FAILED retries. */
  public ClusterSourceSettings runs() {
    return runs;
  }

  public ShardedSourcesSettings withEntityTypeName(String v) {
    return new ShardedSourcesSettings(
        v, role, registryKey, registryTimeout, statusTimeout, removeTimeout, runs);
  }

  /** Null or empty for any node. */
  public ShardedSourcesSettings withRole(String v) {
    return new ShardedSourcesSettings(
        entityTypeName,
        v == null || v.isEmpty() ? Optional.empty() : Optional.of(v),
        registryKey,
        registryTimeout,
        statusTimeout,
        removeTimeout,
        runs);
  }

  public ShardedSourcesSettings withRegistry(String key, Duration timeout) {
    return new ShardedSourcesSettings(
        entityTypeName, role, key, timeout, statusTimeout, removeTimeout, runs);
  }

  public ShardedSourcesSettings withStatusTimeout(Duration v) {
    return new ShardedSourcesSettings(
        entityTypeName, role, registryKey, registryTimeout, v, removeTimeout, runs);
  }

  public ShardedSourcesSettings withRemoveTimeout(Duration v) {
    return new ShardedSourcesSettings(
        entityTypeName, role, registryKey, registryTimeout, statusTimeout, v, runs);
  }

  public ShardedSourcesSettings withRuns(ClusterSourceSettings v) {
    return new ShardedSourcesSettings(
        entityTypeName, role, registryKey, registryTimeout, statusTimeout, removeTimeout, v);
  }

  @Override
  public String toString() {
    return "ShardedSourcesSettings(entityTypeName="
        + entityTypeName
        + ", role="
        + role.orElse("<any>")
        + ", registryKey="
        + registryKey
        + ", registryTimeout="
        + registryTimeout
        + ", statusTimeout="
        + statusTimeout
        + ", removeTimeout="
        + removeTimeout
        + ", runs="
        + runs
        + ")";
  }
}
