package io.slotkeeper.internal.physical;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import org.junit.jupiter.api.Test;

class WalSegmentsTest {
  private static final WalSegments SIXTEEN_MB = new WalSegments(16L << 20);
  private static final WalSegments ONE_MB = new WalSegments(1L << 20);

  @Test
  void namesAsPostgresDoes() {
    // The article's example: 47/E6000000 on timeline 1 is 0000000100000047000000E6.
    Lsn lsn = Lsn.parse("47/E6000000");
    assertThat(SIXTEEN_MB.fileName(1, SIXTEEN_MB.segmentNumber(lsn)))
        .isEqualTo("0000000100000047000000E6");
    // 1 MB segments: 4096 per log id, the last part has three hex digits in use.
    Lsn small = Lsn.parse("0/1A34567");
    assertThat(ONE_MB.fileName(2, ONE_MB.segmentNumber(small)))
        .isEqualTo("00000002000000000000001A");
    assertThat(ONE_MB.fileName(1, ONE_MB.segmentNumber(Lsn.parse("3/FFF00000"))))
        .isEqualTo("000000010000000300000FFF");
  }

  @Test
  void segmentStartAndOffset() {
    Lsn lsn = Lsn.parse("0/1A34567");
    assertThat(ONE_MB.segmentStart(lsn)).isEqualTo(Lsn.parse("0/1A00000"));
    assertThat(ONE_MB.offsetInSegment(lsn)).isEqualTo(0x34567);
    assertThat(SIXTEEN_MB.segmentStart(lsn)).isEqualTo(Lsn.parse("0/1000000"));
  }

  @Test
  void parsesItsOwnNamesAndNothingElse() {
    long segment = ONE_MB.segmentNumber(Lsn.parse("3/FFF00000"));
    assertThat(ONE_MB.parse("000000010000000300000FFF"))
        .contains(
            new WalSegments.SegmentFile(1, segment, false, false, "000000010000000300000FFF"));
    assertThat(ONE_MB.parse("000000010000000300000FFF.partial").orElseThrow().partial()).isTrue();
    assertThat(ONE_MB.parse("00000002.history")).isEmpty();
    assertThat(ONE_MB.parse("0000000100000003000000FFF")).isEmpty();
    // 00001000 is no segment of a 1 MB server (4096 per log id), though it is one of 256 kB.
    assertThat(ONE_MB.parse("000000010000000300001000")).isEmpty();
    assertThat(SIXTEEN_MB.parse("0000000100000047000000E6.partial").orElseThrow().segmentNumber())
        .isEqualTo(SIXTEEN_MB.segmentNumber(Lsn.parse("47/E6000000")));
  }
}
