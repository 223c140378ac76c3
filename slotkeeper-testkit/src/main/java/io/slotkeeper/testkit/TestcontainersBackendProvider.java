package io.slotkeeper.testkit;

import io.slotkeeper.postgres.spi.Backend;
import io.slotkeeper.postgres.spi.DockerBackendProvider;
import java.util.Map;

/**
 * Registers the Testcontainers backend with PostgresServer (META-INF/services), so that wherever
 * the testkit is on the class path, {@code PostgresServer.Mode.DOCKER} works and {@code AUTO} falls
 * back to Docker when the embedded binaries do not cover the platform or version. Public only
 * because ServiceLoader instantiates it.
 */
public final class TestcontainersBackendProvider implements DockerBackendProvider {

  @Override
  public boolean available() {
    return DockerBackend.available();
  }

  @Override
  public Backend backend(
      int major, Map<String, String> settings, String password, Integer walSegmentSizeMb) {
    return new DockerBackend(major, settings, password, walSegmentSizeMb);
  }
}
