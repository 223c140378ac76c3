package io.slotkeeper.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JitQuietTest {

  @Test
  void waitsAWholeQuietWindowBeforeItSaysQuiet() throws Exception {
    long waited = JitQuiet.await(300, Long.MAX_VALUE, 10_000);
    assertThat(waited).isBetween(300L, 5_000L);
  }

  @Test
  void givesUpAtTheLimitWhenNeverQuiet() throws Exception {
    // A negative slack can never be met: the wait ends at its limit.
    long waited = JitQuiet.await(100, -1, 400);
    assertThat(waited).isBetween(400L, 5_000L);
  }

  @Test
  void noLimitMeansNoWait() throws Exception {
    assertThat(JitQuiet.await(2_000, 5, 0)).isZero();
  }
}
