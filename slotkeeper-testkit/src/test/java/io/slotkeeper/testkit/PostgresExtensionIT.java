package io.slotkeeper.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Declarative use: version from the annotation, server injected into the constructor and
 * into @Nested classes.
 */
@PostgresVersion(15)
@ExtendWith(PostgresExtension.class)
class PostgresExtensionIT {

  private final PostgresServer pg;

  PostgresExtensionIT(PostgresServer pg) {
    this.pg = pg;
  }

  @Test
  void runsTheAnnotatedVersion() {
    assertThat(pg.version()).isEqualTo(15);
    assertThat(pg.queryString("SHOW server_version")).startsWith("15.");
  }

  @Nested
  class Inner {
    @Test
    void sharesTheOuterServer(PostgresServer injected) {
      assertThat(injected).isSameAs(pg);
      assertThat(injected.isRunning()).isTrue();
    }
  }
}
