package io.slotkeeper.it;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TwoPhaseScenarios} on PostgreSQL 16. */
class TwoPhasePg16IT extends TwoPhaseScenarios {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(16)
          .setting("max_prepared_transactions", "10")
          .setting("logical_decoding_work_mem", "64kB")
          .build();

  @Override
  PostgresServer pg() {
    return PG.server();
  }
}
