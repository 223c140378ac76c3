package io.slotkeeper.soak;

import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10: about one minute of random workload and random faults, then every check of the
 * invariant against a test_decoding oracle. Part of {@code mvn verify}; the seed (printed) picks
 * the PostgreSQL version unless -Dslotkeeper.pg.version is given. Replay a failure with
 * -Dslotkeeper.soak.seed=N.
 */
class ShortSoakIT {
  static final SoakConfig CONFIG = SoakConfig.fromSystemProperties(Duration.ofMinutes(1));

  @RegisterExtension static final PostgresExtension PG = SoakRun.extension(CONFIG);

  @Test
  void theSlotNeverPassesWhatTheConsumerAcknowledgedAndNothingIsLostOrDuplicated()
      throws Exception {
    new SoakRun(PG.server(), CONFIG).runAndCheck();
  }
}
