package io.slotkeeper.it;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TwoPhaseScenarios} on PostgreSQL 18. */
class TwoPhasePg18IT extends TwoPhaseScenarios {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(18)
          .setting("max_prepared_transactions", "10")
          .setting("logical_decoding_work_mem", "64kB")
          .build();

  @Override
  PostgresServer pg() {
    return PG.server();
  }
}
