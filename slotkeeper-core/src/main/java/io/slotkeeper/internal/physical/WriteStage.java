package io.slotkeeper.internal.physical;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.Lsn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The work of the stream's writing stage, on the blocking dispatcher: writes a batch of what the
 * connection read (several reads, when the disk was slower than the network), fsyncs when one is
 * due, then publishes the durable position. The writer is made on the first chunk, which carries
 * the server's segment size.
 *
 * <p>When an fsync is due: synchronous, after every batch. Otherwise a completed segment is fsynced
 * by the writer as it completes it, exactly as pg_receivewal fsyncs only when it closes a segment,
 * and a segment still being written is fsynced only once WAL stopped coming for an interval ({@code
 * syncInterval}; the stream's ticks, empty batches every interval, find that spell) or, for a
 * trickle too slow to complete segments, after {@link #MAX_UNSYNCED_INTERVALS} intervals. An fsync
 * in the middle of a segment that streams in gains nothing (the server keeps the whole segment
 * holding the slot's position anyway) and costs the disk time: the first measurement, fsyncing
 * every interval, ran at 0.6× pg_receivewal. Whatever is not fsynced is never reported as flushed.
 */
final class WriteStage {
  private final Path dir;
  private final ArchiveSettings.Compression compression;
  private final int compressionLevel;
  private final ArchiveState state;
  private final long syncIntervalNanos;
  private final LongSupplier nanoTime;
  private WalWriter writer;
  private long lastSyncNanos;

  /** A trickle that never pauses for an interval is still fsynced after this many intervals. */
  static final int MAX_UNSYNCED_INTERVALS = 5;

  WriteStage(
      Path dir,
      ArchiveSettings.Compression compression,
      int compressionLevel,
      ArchiveState state,
      Duration syncInterval) {
    this(dir, compression, compressionLevel, state, syncInterval, System::nanoTime);
  }

  WriteStage(
      Path dir,
      ArchiveSettings.Compression compression,
      int compressionLevel,
      ArchiveState state,
      Duration syncInterval,
      LongSupplier nanoTime) {
    this.compressionLevel = compressionLevel;
    this.nanoTime = nanoTime;
    this.lastSyncNanos = nanoTime.getAsLong();
    this.dir = dir;
    this.compression = compression;
    this.state = state;
    this.syncIntervalNanos = syncInterval.toNanos();
  }

  synchronized Lsn write(List<WalChunk.Batch> batches) throws IOException {
    boolean wrote = false;
    for (WalChunk.Batch b : batches) {
      for (WalChunk c : b.chunks()) {
        if (writer == null) {
          Files.createDirectories(dir);
          writer = new WalWriter(dir, c.segments(), compression, compressionLevel);
        } else if (c.segments().segmentSize() != writerSegmentSize) {
          throw new IOException(
              "the server's wal_segment_size changed from "
                  + writerSegmentSize
                  + " to "
                  + c.segments().segmentSize());
        }
        writerSegmentSize = c.segments().segmentSize();
        writer.write(c.timeline(), c.start(), c.data());
        wrote = true;
      }
    }
    if (writer == null) {
      return Lsn.INVALID;
    }
    long now = nanoTime.getAsLong();
    if (wrote) {
      lastWriteNanos = now;
    }
    if (writer.flushed().isAfter(lastPublishedFlush)) {
      lastSyncNanos = now; // a segment completed in this batch: fsynced already
    }
    if (!syncDue(now)) {
      publish();
      return writer.flushed();
    }
    lastSyncNanos = now;
    Lsn flushed = writer.sync();
    publish();
    state.flushedNow();
    return flushed;
  }

  /**
   * Synchronous: always. Otherwise only when something unsynced waits and either no WAL came for a
   * whole interval (an idle spell: what came last is fsynced within two intervals) or nothing was
   * fsynced for {@link #MAX_UNSYNCED_INTERVALS} intervals (a trickle). WAL streaming in faster than
   * that completes segments, which the writer fsyncs as it completes them.
   */
  private boolean syncDue(long now) {
    if (syncIntervalNanos == 0) {
      return true;
    }
    if (!writer.unsynced()) {
      return false;
    }
    return now - lastWriteNanos >= syncIntervalNanos
        || now - lastSyncNanos >= MAX_UNSYNCED_INTERVALS * syncIntervalNanos;
  }

  private long writerSegmentSize;
  private long lastWriteNanos;
  private Lsn lastPublishedFlush = Lsn.INVALID;

  private void publish() {
    lastPublishedFlush = writer.flushed();
    state.written.set(writer.written().value());
    state.flushed.set(writer.flushed().value());
    state.bytesWritten.set(writer.bytesWritten());
    state.throughput.record(System.nanoTime(), writer.bytesWritten());
    state.segmentsCompleted.set(writer.segmentsCompleted());
    state.currentSegment.set(writer.currentFileName());
  }

  /** At the stream's end, however it ended: fsync and close the open segment. */
  synchronized void close() throws IOException {
    if (writer != null) {
      writer.close();
      publish();
    }
  }
}
