package io.slotkeeper.soak;

import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The long soak: the same run as {@link ShortSoakIT} for -Dslotkeeper.soak.minutes (the {@code
 * soak} Maven profile sets 10). Disabled when the property is not given, so plain {@code mvn
 * verify} does not run it: {@code mvn -B -Psoak -pl slotkeeper-core -am verify}.
 */
@EnabledIfSystemProperty(
    named = SoakConfig.MINUTES_PROPERTY,
    matches = "\\s*[0-9.]*[1-9][0-9.]*\\s*",
    disabledReason = "the long soak runs only with -Dslotkeeper.soak.minutes=N (or -Psoak)")
class LongSoakIT {
  static final SoakConfig CONFIG =
      SoakConfig.fromSystemProperties(SoakConfig.minutesProperty().orElse(Duration.ZERO));

  @RegisterExtension static final PostgresExtension PG = SoakRun.extension(CONFIG);

  @Test
  void theInvariantHoldsForMinutes() throws Exception {
    new SoakRun(PG.server(), CONFIG).runAndCheck();
  }
}
