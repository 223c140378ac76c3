package io.slotkeeper.it;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TimelineSwitchScenarios} on PostgreSQL 16. */
class TimelineSwitchPg16IT extends TimelineSwitchScenarios {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(16)
          .walSegmentSizeMb(1)
          .setting("wal_keep_size", "256MB")
          .build();

  @Override
  PostgresServer primary() {
    return PG.server();
  }
}
