package io.slotkeeper.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PgTimestampsTest {

  @Test
  void epochIs2000() {
    assertThat(PgTimestamps.fromPgMicros(0)).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
    assertThat(PgTimestamps.fromPgMicros(-946_684_800_000_000L)).isEqualTo(Instant.EPOCH);
    assertThat(PgTimestamps.fromPgMicros(-1_500_000))
        .isEqualTo(Instant.parse("1999-12-31T23:59:58.500Z"));
  }

  @Test
  void infinitySentinels() {
    assertThat(PgTimestamps.fromPgMicros(Long.MAX_VALUE)).isEqualTo(Instant.MAX);
    assertThat(PgTimestamps.fromPgMicros(Long.MIN_VALUE)).isEqualTo(Instant.MIN);
    assertThat(PgTimestamps.toPgMicros(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
    assertThat(PgTimestamps.toPgMicros(Instant.MIN)).isEqualTo(Long.MIN_VALUE);
  }

  @ParameterizedTest
  @ValueSource(
      longs = {
        0,
        1,
        -1,
        999_999,
        -999_999,
        1_000_000,
        -1_000_001,
        768_294_489_123_456L,
        Long.MAX_VALUE - 1,
        Long.MIN_VALUE + 1
      })
  void roundTripIsExact(long micros) {
    assertThat(PgTimestamps.toPgMicros(PgTimestamps.fromPgMicros(micros))).isEqualTo(micros);
  }

  @Test
  void subMicrosecondPrecisionIsTruncatedTowardsThePast() {
    assertThat(PgTimestamps.toPgMicros(Instant.parse("2000-01-01T00:00:00.000001999Z")))
        .isEqualTo(1);
    assertThat(PgTimestamps.toPgMicros(Instant.parse("1999-12-31T23:59:59.999999999Z")))
        .isEqualTo(-1);
  }

  @Test
  void unrepresentableInstantsAreRejected() {
    assertThatThrownBy(() -> PgTimestamps.toPgMicros(Instant.MAX.minusSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
