package io.slotkeeper.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesUpToTheCapWithoutJitter() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0, () -> 0.5);
    assertThat(b.delay(0)).isEqualTo(Duration.ofMillis(100));
    assertThat(b.delay(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(b.delay(3)).isEqualTo(Duration.ofMillis(800));
    assertThat(b.delay(4)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.delay(10_000)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void jitterSpreadsWithinTheFactorAndNeverPassesTheCap() {
    Backoff low = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2, () -> 0.0);
    Backoff high = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2, () -> 1.0);
    assertThat(low.delay(0)).isEqualTo(Duration.ofMillis(80));
    assertThat(high.delay(0)).isEqualTo(Duration.ofMillis(120));
    assertThat(high.delay(20)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 1.5, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
