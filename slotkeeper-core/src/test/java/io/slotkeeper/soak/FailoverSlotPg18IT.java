package io.slotkeeper.soak;

import org.junit.jupiter.api.Test;

/** Issue 13: a failover slot through a promotion on PostgreSQL 18 ({@link FailoverScenario}). */
class FailoverSlotPg18IT {

  @Test
  void theSourceContinuesOnThePromotedStandbyFromTheSynchronizedSlot() throws Exception {
    try (FailoverScenario scenario = FailoverScenario.start(18)) {
      scenario.run();
    }
  }
}
