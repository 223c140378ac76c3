package io.slotkeeper.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DownstreamCorruptionTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void replacesTheByteAtTheDistanceFromEachMarkerWhileOccurrencesRemain() {
    DownstreamCorruption c = new DownstreamCorruption(bytes("MK"), -2, (byte) 'z', 2);
    byte[] buf = bytes("abMKcdMKefMK");
    c.apply(buf, buf.length);
    assertThat(new String(buf, StandardCharsets.US_ASCII)).isEqualTo("zbMKzdMKefMK");
    assertThat(c.done()).isEqualTo(2);
    assertThat(c.remaining()).isZero();
  }

  @Test
  void aTargetOutsideTheReadIsLeftAloneAndNotCounted() {
    DownstreamCorruption c = new DownstreamCorruption(bytes("MK"), -5, (byte) 'z', 1);
    byte[] buf = bytes("abMKcd");
    c.apply(buf, buf.length);
    assertThat(new String(buf, StandardCharsets.US_ASCII)).isEqualTo("abMKcd");
    assertThat(c.done()).isZero();
    assertThat(c.remaining()).isEqualTo(1);
  }

  @Test
  void onlyTheFirstNBytesOfTheBufferAreLookedAt() {
    DownstreamCorruption c = new DownstreamCorruption(bytes("MK"), 0, (byte) 'z', 1);
    byte[] buf = bytes("abcMK");
    c.apply(buf, 4);
    assertThat(new String(buf, StandardCharsets.US_ASCII)).isEqualTo("abcMK");
  }
}
