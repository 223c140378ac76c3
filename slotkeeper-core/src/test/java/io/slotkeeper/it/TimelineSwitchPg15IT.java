package io.slotkeeper.it;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TimelineSwitchScenarios} on PostgreSQL 15: the first with READ_REPLICATION_SLOT. */
class TimelineSwitchPg15IT extends TimelineSwitchScenarios {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(15)
          .walSegmentSizeMb(1)
          .setting("wal_keep_size", "256MB")
          .build();

  @Override
  PostgresServer primary() {
    return PG.server();
  }
}
