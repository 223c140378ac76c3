package io.slotkeeper.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.spi.DockerBackendProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * PostgresServer finds its Docker backend through ServiceLoader: wherever the testkit is on the
 * class path, mode DOCKER (and AUTO's fallback) must reach Testcontainers, as it did when both
 * lived in one module.
 */
class DockerBackendRegistrationTest {

  @Test
  void theTestcontainersBackendIsRegistered() {
    assertThat(
            ServiceLoader.load(DockerBackendProvider.class).stream()
                .map(ServiceLoader.Provider::type))
        .containsExactly(TestcontainersBackendProvider.class);
  }
}
