package io.slotkeeper.postgres;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * This module alone has no Docker backend (it lives in slotkeeper-testkit, with Testcontainers):
 * asking for one must say what is missing instead of failing somewhere inside a backend.
 */
class DockerModeTest {

  @Test
  void dockerModeWithoutTheTestkitNamesIt() {
    assertThatThrownBy(() -> PostgresServer.builder().mode(PostgresServer.Mode.DOCKER).start())
        .isInstanceOf(PostgresServerException.class)
        .hasMessageContaining("slotkeeper-testkit");
  }

  @Test
  void autoModeWithoutBinariesOrTestkitNamesBoth() {
    assertThatThrownBy(
            () -> PostgresServer.builder().version(12).mode(PostgresServer.Mode.AUTO).start())
        .isInstanceOf(PostgresServerException.class)
        .hasMessageContaining("13, 14, 15, 16, 17, 18")
        .hasMessageContaining(
            "without slotkeeper-testkit on the class path there is no Docker backend");
  }
}
