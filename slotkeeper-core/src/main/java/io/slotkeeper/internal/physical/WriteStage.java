package io.slotkeeper.internal.physical;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.Lsn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The work of the stream's writing stage, on the blocking dispatcher: writes a batch of what the
 * connection read (several reads, when the disk was slower than the network), fsyncs when one is
 * due, then publishes the durable position. The writer is made on the first chunk, which carries
 * the server's segment size.
 *
 * <p>When an fsync is due: synchronous, after every batch; otherwise at most once per {@code
 * syncInterval} (a completed segment is fsynced by the writer anyway), which is what lets the
 * archive keep pace with pg_receivewal, whose fsync comes only when it closes a segment. Empty
 * batches (the stream's ticks, every {@code syncInterval}) make the fsync of WAL that arrived last
 * before an idle spell. Whatever is not fsynced is never reported as flushed.
 */
final class WriteStage {
  private final Path dir;
  private final ArchiveSettings.Compression compression;
  private final ArchiveState state;
  private final long syncIntervalNanos;
  private WalWriter writer;
  private long lastSyncNanos = System.nanoTime();

  WriteStage(
      Path dir,
      ArchiveSettings.Compression compression,
      ArchiveState state,
      Duration syncInterval) {
    this.dir = dir;
    this.compression = compression;
    this.state = state;
    this.syncIntervalNanos = syncInterval.toNanos();
  }

  synchronized Lsn write(List<WalChunk.Batch> batches) throws IOException {
    for (WalChunk.Batch b : batches) {
      for (WalChunk c : b.chunks()) {
        if (writer == null) {
          Files.createDirectories(dir);
          writer = new WalWriter(dir, c.segments(), compression);
        } else if (c.segments().segmentSize() != writerSegmentSize) {
          throw new IOException(
              "the server's wal_segment_size changed from "
                  + writerSegmentSize
                  + " to "
                  + c.segments().segmentSize());
        }
        writerSegmentSize = c.segments().segmentSize();
        writer.write(c.timeline(), c.start(), c.data());
        publish();
      }
    }
    if (writer == null) {
      return Lsn.INVALID;
    }
    long now = System.nanoTime();
    if (now - lastSyncNanos < syncIntervalNanos) {
      publish(); // a segment completed in this batch is durable already
      return writer.flushed();
    }
    lastSyncNanos = now;
    Lsn flushed = writer.sync();
    publish();
    state.flushedNow();
    return flushed;
  }

  private long writerSegmentSize;

  private void publish() {
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
