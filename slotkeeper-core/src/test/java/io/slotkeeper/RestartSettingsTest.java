package io.slotkeeper;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one back-off computation, used by the core's Restarter and the cluster's SourceSingleton. */
class RestartSettingsTest {
  private static RestartSettings backoff(Duration min, Duration max, double randomFactor) {
    return RestartSettings.create(min, max, randomFactor, Duration.ofSeconds(30));
  }

  @Test
  void doublesUpToTheCapWithoutJitter() {
    RestartSettings b = backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0);
    assertThat(b.delay(0, 0.5)).isEqualTo(Duration.ofMillis(100));
    assertThat(b.delay(1, 0.5)).isEqualTo(Duration.ofMillis(200));
    assertThat(b.delay(3, 0.5)).isEqualTo(Duration.ofMillis(800));
    assertThat(b.delay(4, 0.5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.delay(10_000, 0.5)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void jitterSpreadsWithinTheFactorAndNeverPassesTheCap() {
    RestartSettings b = backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);
    assertThat(b.delay(0, 0.0)).isEqualTo(Duration.ofMillis(80));
    assertThat(b.delay(0, 1.0)).isEqualTo(Duration.ofMillis(120));
    assertThat(b.delay(20, 1.0)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void isConsistentOnlyWithinTheBounds() {
    assertThat(backoff(Duration.ZERO, Duration.ofSeconds(1), 1).isConsistent()).isTrue();
    assertThat(backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0).isConsistent()).isFalse();
    assertThat(backoff(Duration.ZERO, Duration.ofSeconds(1), 1.5).isConsistent()).isFalse();
    assertThat(backoff(Duration.ZERO, Duration.ofSeconds(1), -0.1).isConsistent()).isFalse();
    assertThat(backoff(Duration.ofMillis(-1), Duration.ofSeconds(1), 0).isConsistent()).isFalse();
  }

  @Test
  void withCopiesLeaveTheOriginalAlone() {
    RestartSettings a = backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);
    RestartSettings b =
        a.withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 0)
            .withResetAfter(Duration.ZERO);
    assertThat(a.minBackoff()).isEqualTo(Duration.ofMillis(100));
    assertThat(a.resetAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(b.maxBackoff()).isEqualTo(Duration.ofSeconds(5));
    assertThat(b.resetAfter()).isZero();
  }
}
