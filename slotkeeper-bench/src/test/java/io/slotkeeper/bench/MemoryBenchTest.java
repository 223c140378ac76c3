package io.slotkeeper.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class MemoryBenchTest {

  @Test
  void theChildGetsTheEnginesAndPekkosPropertiesAndNoOthers() {
    Properties props = new Properties();
    props.setProperty("slotkeeper.source.ack.flush-interval", "1s");
    props.setProperty("pekko.scheduler.tick-duration", "100ms");
    props.setProperty("java.class.path", "/somewhere");
    props.setProperty("slotkeeperish", "no");

    assertThat(MemoryBench.forwardedProperties(props))
        .containsExactly(
            "-Dpekko.scheduler.tick-duration=100ms", "-Dslotkeeper.source.ack.flush-interval=1s");
  }
}
