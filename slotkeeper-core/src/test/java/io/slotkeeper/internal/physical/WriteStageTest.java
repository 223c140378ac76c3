package io.slotkeeper.internal.physical;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.Lsn;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the writing stage fsyncs. While WAL streams in, a segment completes soon and is fsynced then
 * (as pg_receivewal fsyncs only when it closes a segment): an fsync of a segment still being
 * written costs the disk time (and holds writes to the pages under writeback) and gains the server
 * nothing, since it keeps whole segments anyway. Once WAL stops for an interval, what came last is
 * fsynced; a trickle too slow to complete segments is still fsynced now and then.
 */
class WriteStageTest {
  private static final int SEG = 1 << 20;
  private static final WalSegments SEGMENTS = new WalSegments(SEG);
  private static final Duration INTERVAL = Duration.ofMillis(200);

  @TempDir Path dir;

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final ArchiveState state = new ArchiveState();

  private WriteStage stage(Duration interval) {
    return new WriteStage(dir, ArchiveSettings.Compression.NONE, 0, state, interval, clock::get);
  }

  private static List<WalChunk.Batch> chunk(long from, int length) {
    return List.of(
        new WalChunk.Batch(
            List.of(new WalChunk(SEGMENTS, 1, Lsn.of(from), ByteBuffer.allocate(length)))));
  }

  private static final List<WalChunk.Batch> TICK = List.of(new WalChunk.Batch(List.of()));

  @Test
  void whileWalStreamsInOnlyCompletedSegmentsAreFsynced() throws Exception {
    WriteStage stage = stage(INTERVAL);
    long start = 4L * SEG;
    long pos = start;
    // 64 KB every 50 ms (1.3 MB/s, a segment every 0.8 s), with the stream's ticks in between:
    // several intervals pass within each segment.
    for (int i = 0; i < 48; i++) {
      stage.write(chunk(pos, 64 << 10));
      pos += 64 << 10;
      clock.addAndGet(Duration.ofMillis(50).toNanos());
      if (i % 4 == 3) {
        stage.write(TICK);
      }
      long flushed = state.flushed.get();
      assertThat(flushed % SEG)
          .as(
              "flushed %s while writing %s: only segment ends while WAL streams in",
              Lsn.of(flushed), Lsn.of(pos))
          .isZero();
    }
    assertThat(Lsn.of(state.flushed.get())).isEqualTo(Lsn.of(start + 3L * SEG));
    stage.close();
  }

  @Test
  void whatCameLastIsFsyncedOnceWalStopsForAnInterval() throws Exception {
    WriteStage stage = stage(INTERVAL);
    long start = 4L * SEG;
    stage.write(chunk(start, 1000));
    clock.addAndGet(Duration.ofMillis(50).toNanos());
    stage.write(TICK);
    assertThat(Lsn.of(state.flushed.get())).isNotEqualTo(Lsn.of(start + 1000));
    clock.addAndGet(INTERVAL.toNanos());
    stage.write(TICK);
    assertThat(Lsn.of(state.flushed.get())).isEqualTo(Lsn.of(start + 1000));
    stage.close();
  }

  @Test
  void aTrickleThatNeverPausesIsStillFsyncedEveryFewIntervals() throws Exception {
    WriteStage stage = stage(INTERVAL);
    long pos = 4L * SEG;
    long lastFlushedAt = clock.get();
    for (int i = 0; i < 100; i++) {
      stage.write(chunk(pos, 100));
      pos += 100;
      clock.addAndGet(Duration.ofMillis(50).toNanos());
      if (state.flushed.get() == pos) {
        lastFlushedAt = clock.get();
      }
      assertThat(Duration.ofNanos(clock.get() - lastFlushedAt))
          .isLessThanOrEqualTo(INTERVAL.multipliedBy(WriteStage.MAX_UNSYNCED_INTERVALS + 1));
    }
    stage.close();
  }

  @Test
  void synchronousFsyncsEveryBatch() throws Exception {
    WriteStage stage = stage(Duration.ZERO);
    long pos = 4L * SEG;
    for (int i = 0; i < 5; i++) {
      stage.write(chunk(pos, 1000));
      pos += 1000;
      assertThat(Lsn.of(state.flushed.get())).isEqualTo(Lsn.of(pos));
    }
    stage.close();
  }
}
