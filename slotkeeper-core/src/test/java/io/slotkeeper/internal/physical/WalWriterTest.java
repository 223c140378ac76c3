package io.slotkeeper.internal.physical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.Lsn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalWriterTest {
  private static final int SEG = 1 << 20;
  private static final WalSegments SEGMENTS = new WalSegments(SEG);

  @TempDir Path dir;

  /** Deterministic "WAL": byte i of the stream depends on its position only. */
  private static ByteBuffer wal(long from, int length) {
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      long p = from + i;
      b[i] = (byte) (p * 31 + (p >>> 9));
    }
    return ByteBuffer.wrap(b);
  }

  @Test
  void writesSegmentsCompletesThemAndKeepsTheOneInProgressPartial() throws IOException {
    long start = 5L * SEG;
    try (WalWriter w = new WalWriter(dir, SEGMENTS)) {
      Random random = new Random(7);
      long pos = start;
      long end = start + 2L * SEG + 1000;
      while (pos < end) {
        int n = (int) Math.min(1 + random.nextInt(200_000), end - pos);
        w.write(1, Lsn.of(pos), wal(pos, n));
        pos += n;
      }
      assertThat(w.sync()).isEqualTo(Lsn.of(pos));
      assertThat(w.segmentsCompleted()).isEqualTo(2);
    }
    assertThat(Files.readAllBytes(dir.resolve("000000010000000000000005")))
        .isEqualTo(wal(start, SEG).array());
    assertThat(Files.readAllBytes(dir.resolve("000000010000000000000006")))
        .isEqualTo(wal(start + SEG, SEG).array());
    byte[] partial = Files.readAllBytes(dir.resolve("000000010000000000000007.partial"));
    assertThat(partial).hasSize(SEG); // padded, as pg_receivewal pads
    byte[] expected = Arrays.copyOf(wal(start + 2L * SEG, SEG).array(), SEG);
    assertThat(Arrays.copyOf(partial, 1000)).isEqualTo(Arrays.copyOf(expected, 1000));
    assertThat(Arrays.copyOfRange(partial, 1000, SEG)).containsOnly((byte) 0);
  }

  @Test
  void repeatedBytesAreTrimmedAndAHoleIsRefused() throws IOException {
    try (WalWriter w = new WalWriter(dir, SEGMENTS)) {
      w.write(1, Lsn.of(0), wal(0, 5000));
      // A reconnect starts again at the segment's start: only what is new is written.
      w.write(1, Lsn.of(0), wal(0, 8000));
      w.write(1, Lsn.of(100), wal(100, 50));
      assertThat(w.written()).isEqualTo(Lsn.of(8000));
      assertThat(w.bytesWritten()).isEqualTo(8000);
      assertThatThrownBy(() -> w.write(1, Lsn.of(9000), wal(9000, 10)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("hole");
    }
  }

  @Test
  void theFirstWriteMustStartASegment() {
    WalWriter w = new WalWriter(dir, SEGMENTS);
    assertThatThrownBy(() -> w.write(1, Lsn.of(SEG + 16), wal(SEG + 16, 10)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("segment's start");
  }

  @Test
  void syncReportsOnlyWhatIsWrittenAndTheSegmentEndOnCompletion() throws IOException {
    try (WalWriter w = new WalWriter(dir, SEGMENTS)) {
      w.write(1, Lsn.of(0), wal(0, 100));
      assertThat(w.flushed()).isEqualTo(Lsn.INVALID);
      assertThat(w.sync()).isEqualTo(Lsn.of(100));
      w.write(1, Lsn.of(100), wal(100, SEG - 100 + 10));
      // Completing the segment fsynced it: its end is durable before any sync of the next one.
      assertThat(w.flushed()).isEqualTo(Lsn.of(SEG));
      assertThat(w.sync()).isEqualTo(Lsn.of(SEG + 10));
    }
  }

  @Test
  void aNewTimelineLeavesTheOldSegmentPartialAndStartsAgainAtTheSegmentStart() throws IOException {
    long seg = 5L * SEG;
    try (WalWriter w = new WalWriter(dir, SEGMENTS)) {
      w.write(1, Lsn.of(seg), wal(seg, 3000));
      assertThat(w.sync()).isEqualTo(Lsn.of(seg + 3000));
      // Timeline 2 begins at the switch point seg + 2000; its file of this segment holds the old
      // WAL before it, and the server streams it from the segment's start.
      w.write(2, Lsn.of(seg), wal(seg, 2500));
      assertThat(w.sync()).as("the flush position never goes back").isEqualTo(Lsn.of(seg + 3000));
      w.write(2, Lsn.of(seg + 2500), wal(seg + 2500, SEG - 2500));
      assertThat(w.sync()).isEqualTo(Lsn.of(seg + SEG));
      assertThatThrownBy(() -> w.write(1, Lsn.of(seg + SEG), wal(seg + SEG, 10)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("timeline 1 after timeline 2");
    }
    assertThat(dir.resolve("000000010000000000000005.partial")).exists();
    assertThat(Files.readAllBytes(dir.resolve("000000020000000000000005")))
        .isEqualTo(wal(seg, SEG).array());
  }
}
