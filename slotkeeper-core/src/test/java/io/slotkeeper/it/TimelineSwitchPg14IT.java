package io.slotkeeper.it;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TimelineSwitchScenarios} on PostgreSQL 14: the last without READ_REPLICATION_SLOT. */
class TimelineSwitchPg14IT extends TimelineSwitchScenarios {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(14)
          .walSegmentSizeMb(1)
          .setting("wal_keep_size", "256MB")
          .build();

  @Override
  PostgresServer primary() {
    return PG.server();
  }
}
