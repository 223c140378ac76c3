package io.slotkeeper.postgres.spi;

import java.util.Map;

/**
 * Supplies the {@link io.slotkeeper.postgres.PostgresServer.Mode#DOCKER} backend, found with {@link
 * java.util.ServiceLoader}.
 *
 * <p>Containers are a test concern: slotkeeper-testkit registers the Testcontainers implementation,
 * so Docker is a choice wherever the testkit is on the class path (every test) and Testcontainers
 * never reaches a program that only runs embedded servers (the demo). Without a provider, {@code
 * AUTO} means embedded only and {@code DOCKER} fails with a message that names the testkit.
 */
public interface DockerBackendProvider {

  /** Whether a Docker engine is reachable. Never throws: any problem means "not available". */
  boolean available();

  /**
   * A not yet created backend for a {@code postgres:<major>} container with these settings (passed
   * as {@code -c name=value}), superuser password and, when not null, initdb's {@code
   * --wal-segsize} in MB.
   */
  Backend backend(
      int major, Map<String, String> settings, String password, Integer walSegmentSizeMb);
}
