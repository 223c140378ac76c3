package io.slotkeeper.it;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link BackfillScenarios} on PostgreSQL 17. */
class BackfillPg17IT extends BackfillScenarios {
  @RegisterExtension
  static final PostgresExtension PG = PostgresExtension.builder().version(17).build();

  @Override
  PostgresServer pg() {
    return PG.server();
  }
}
