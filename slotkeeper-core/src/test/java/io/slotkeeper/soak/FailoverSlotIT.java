package io.slotkeeper.soak;

import org.junit.jupiter.api.Test;

/**
 * Issue 13: a failover slot through a promotion on PostgreSQL 17, the first version with them
 * ({@link FailoverScenario}).
 */
class FailoverSlotIT {

  @Test
  void theSourceContinuesOnThePromotedStandbyFromTheSynchronizedSlot() throws Exception {
    try (FailoverScenario scenario = FailoverScenario.start(17)) {
      scenario.run();
    }
  }
}
