package io.slotkeeper.postgres;

import io.slotkeeper.postgres.spi.DockerBackendProvider;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the Docker backend, which lives in slotkeeper-testkit (Testcontainers) so that a program
 * running only embedded servers never carries it. Looked up on every use rather than cached: cheap
 * next to starting a server, and it sees the class loader of the caller's thread.
 */
final class DockerBackends {

  private DockerBackends() {}

  static Optional<DockerBackendProvider> provider() {
    try {
      return ServiceLoader.load(DockerBackendProvider.class).findFirst();
    } catch (ServiceConfigurationError | LinkageError e) {
      // A registered provider whose own dependencies (Testcontainers) are missing: no Docker, as
      // before.
      return Optional.empty();
    }
  }
}
