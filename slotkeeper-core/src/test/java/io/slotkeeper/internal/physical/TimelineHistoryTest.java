package io.slotkeeper.internal.physical;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import org.junit.jupiter.api.Test;

class TimelineHistoryTest {
  /** As a server on timeline 3 writes 00000003.history: a line per ended timeline. */
  private static final String CONTENT =
      "1\t0/85CCC0\tno recovery target specified\n\n# comment\n2\t0/A00028\tbefore 2000-01-01\n";

  @Test
  void endsNextAndTheTimelineOfAPosition() {
    TimelineHistory h = TimelineHistory.parse(3, CONTENT);
    assertThat(h.end(1)).contains(Lsn.parse("0/85CCC0"));
    assertThat(h.end(2)).contains(Lsn.parse("0/A00028"));
    assertThat(h.end(3)).isEmpty();
    assertThat(h.next(1)).isEqualTo(2);
    assertThat(h.next(2)).isEqualTo(3);
    assertThat(h.contains(3)).isTrue();
    assertThat(h.contains(4)).isFalse();
    assertThat(h.timelineAt(Lsn.parse("0/800000"), 0)).isEqualTo(1);
    assertThat(h.timelineAt(Lsn.parse("0/85CCC0"), 0))
        .as("the switch point belongs to the next timeline")
        .isEqualTo(2);
    // A partial segment of timeline 2 that starts before timeline 1 ended stays on timeline 2.
    assertThat(h.timelineAt(Lsn.parse("0/800000"), 2)).isEqualTo(2);
    assertThat(h.timelineAt(Lsn.parse("0/B00000"), 0)).isEqualTo(3);
  }

  @Test
  void timelineOneHasNoHistory() {
    TimelineHistory h = TimelineHistory.first();
    assertThat(h.current()).isEqualTo(1);
    assertThat(h.timelineAt(Lsn.parse("5/0"), 0)).isEqualTo(1);
  }
}
