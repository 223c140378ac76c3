package io.slotkeeper.it;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link TimelineSwitchScenarios} on PostgreSQL 13: no READ_REPLICATION_SLOT: the slot is read from
 * pg_replication_slots.
 */
class TimelineSwitchPg13IT extends TimelineSwitchScenarios {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(13)
          .walSegmentSizeMb(1)
          .setting("wal_keep_size", "256MB")
          .build();

  @Override
  PostgresServer primary() {
    return PG.server();
  }
}
