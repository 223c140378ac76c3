package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusHistoryTest {

  private static StatusHistory.Sample at(long t) {
    return new StatusHistory.Sample(t, "ACTIVE", t * 10, -1, 100, 1.5);
  }

  @Test
  void keepsTheNewestSamplesOldestFirstOnceTheRingIsFull() {
    StatusHistory h = new StatusHistory(Duration.ofSeconds(2), Duration.ofSeconds(6));
    h.add(at(1));
    h.add(at(2));
    assertThat(h.samples()).extracting(StatusHistory.Sample::epochMillis).containsExactly(1L, 2L);
    h.add(at(3));
    h.add(at(4));
    h.add(at(5));
    assertThat(h.samples())
        .extracting(StatusHistory.Sample::epochMillis)
        .containsExactly(3L, 4L, 5L);
  }

  @Test
  void jsonCarriesTheIntervalTheCapacityAndEachSampleField() {
    StatusHistory h = new StatusHistory(Duration.ofSeconds(2), Duration.ofMinutes(10));
    h.add(at(7));
    Map<?, ?> json = (Map<?, ?>) TestJson.parse(Json.write(h.json()));
    assertThat(json.get("interval_ms")).isEqualTo(2000L);
    assertThat(json.get("capacity")).isEqualTo(300L);
    Map<?, ?> s = (Map<?, ?>) ((List<?>) json.get("samples")).get(0);
    assertThat(s.get("t")).isEqualTo(7L);
    assertThat(s.get("level")).isEqualTo("ACTIVE");
    assertThat(s.get("lag_bytes")).isEqualTo(70L);
    assertThat(s.get("server_lag_bytes")).isEqualTo(-1L);
    assertThat(s.get("retained_wal_bytes")).isEqualTo(100L);
  }

  @Test
  void refusesAnIntervalLongerThanTheSpan() {
    assertThatThrownBy(() -> new StatusHistory(Duration.ofMinutes(2), Duration.ofMinutes(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
