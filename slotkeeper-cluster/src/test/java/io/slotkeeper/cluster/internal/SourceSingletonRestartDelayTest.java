package io.slotkeeper.cluster.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.cluster.ClusterSourceSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The singleton's pause between runs follows restart.* exactly as the core's reconnect back-off
 * does.
 */
class SourceSingletonRestartDelayTest {
  private static final ClusterSourceSettings SETTINGS =
      ClusterSourceSettings.create(ConfigFactory.empty())
          .withRestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);

  @Test
  void jitterNeverPassesMaxBackoff() {
    // At the cap, the highest draw of the jitter would be 1.2 s; max-backoff is a promise.
    for (int attempt : new int[] {4, 5, 20, 10_000}) {
      assertThat(SourceSingleton.restartDelay(SETTINGS, attempt, 1.0))
          .as("attempt %d", attempt)
          .isLessThanOrEqualTo(Duration.ofSeconds(1));
    }
    assertThat(SourceSingleton.restartDelay(SETTINGS, 20, 1.0)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void doublesFromMinBackoffAndSpreadsBelowTheCap() {
    assertThat(SourceSingleton.restartDelay(SETTINGS, 0, 0.5)).isEqualTo(Duration.ofMillis(100));
    assertThat(SourceSingleton.restartDelay(SETTINGS, 3, 0.5)).isEqualTo(Duration.ofMillis(800));
    assertThat(SourceSingleton.restartDelay(SETTINGS, 0, 0.0)).isEqualTo(Duration.ofMillis(80));
    assertThat(SourceSingleton.restartDelay(SETTINGS, 0, 1.0)).isEqualTo(Duration.ofMillis(120));
    assertThat(SourceSingleton.restartDelay(SETTINGS, 20, 0.0)).isEqualTo(Duration.ofMillis(800));
  }
}
