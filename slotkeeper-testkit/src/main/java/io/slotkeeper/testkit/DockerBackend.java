package io.slotkeeper.testkit;

import io.slotkeeper.postgres.PostgresServerException;
import io.slotkeeper.postgres.StopMode;
import io.slotkeeper.postgres.spi.Backend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A server in a {@code postgres:<major>} container, for machines the embedded binaries do not
 * cover.
 *
 * <p>Lives in the testkit, not beside the embedded backend, so that only tests carry
 * Testcontainers; {@link TestcontainersBackendProvider} hands it to PostgresServer. Only this class
 * touches Testcontainers, so a JVM that never picks Docker never loads it. The container's
 * postmaster is PID 1, so stopping it ends the container and a restart would come back on another
 * mapped port: stop/start faults are embedded-only. Settings travel as {@code -c name=value}
 * arguments.
 */
final class DockerBackend implements Backend {

  private final int major;
  private final Map<String, String> settings;
  private final String password;
  private final Integer walSegmentSizeMb;
  private PostgreSQLContainer<?> container;

  DockerBackend(
      int major, Map<String, String> settings, String password, Integer walSegmentSizeMb) {
    this.major = major;
    this.settings = new LinkedHashMap<>(settings);
    this.password = password;
    this.walSegmentSizeMb = walSegmentSizeMb;
  }

  /**
   * Never throws: no Docker, no Testcontainers on the classpath, or a broken config all mean "not
   * available".
   */
  static boolean available() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }

  @Override
  public void create() {
    List<String> command = new ArrayList<>();
    command.add("postgres");
    settings.forEach(
        (k, v) -> {
          command.add("-c");
          command.add(k + "=" + v);
        });
    PostgreSQLContainer<?> c =
        new PostgreSQLContainer<>(DockerImageName.parse("postgres:" + major))
            .withUsername("postgres")
            .withPassword(password)
            .withDatabaseName("postgres")
            .withCommand(command.toArray(String[]::new));
    if (walSegmentSizeMb != null) {
      c.withEnv("POSTGRES_INITDB_ARGS", "--wal-segsize=" + walSegmentSizeMb);
    }
    try {
      c.start();
    } catch (RuntimeException e) {
      c.close();
      throw new PostgresServerException(
          "could not start container postgres:" + major + ": " + e, e);
    }
    container = c;
  }

  @Override
  public String host() {
    return container.getHost();
  }

  @Override
  public int port() {
    return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
  }

  @Override
  public boolean running() {
    return container != null && container.isRunning();
  }

  @Override
  public void stop(StopMode mode) {
    throw unsupported("stop(" + mode + ")");
  }

  @Override
  public void start() {
    throw unsupported("start()");
  }

  @Override
  public void restartWith(Map<String, String> changes) {
    throw unsupported("restartWith()");
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(
        what
            + " needs the embedded server (-Dslotkeeper.pg.mode=embedded): "
            + "a container's postmaster is its PID 1 and cannot restart on the same port");
  }

  @Override
  public String log() {
    return container == null ? "" : container.getLogs();
  }

  @Override
  public void destroy(boolean quick) {
    if (container != null) {
      container.close();
    }
  }

  @Override
  public String describe() {
    return "container postgres:"
        + major
        + (container != null ? " on " + host() + ":" + port() : "");
  }
}
