package io.slotkeeper.internal.physical;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.Lsn;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes WAL into segment files the way pg_receivewal does: the segment in progress is {@code
 * NAME.partial}, created filled with zeros to the full segment size, written at each byte's offset
 * in the segment, and renamed to {@code NAME} once its last byte is written (after an fsync of the
 * file; the directory is fsynced after the rename). The WAL position that {@link #sync} returns is
 * on disk, and only that may be reported to the server as flushed: the slot then never gives up WAL
 * that the archive does not hold.
 *
 * <p>Used by one thread at a time (the stream's writing stage). Chunks must arrive in WAL order; a
 * chunk that repeats bytes already written (a reconnect starts again at a segment's start) is
 * trimmed to what is new, and a chunk that leaves a hole fails, since a hole in an archive is the
 * one thing it must never have.
 */
final class WalWriter implements AutoCloseable {
  private static final int ZEROS = 1 << 20;

  private final Path dir;
  private final WalSegments segments;
  private final ArchiveSettings.Compression compression;

  /** The compression level; 0 for the method's default. */
  private final int level;

  private FileChannel current;

  /** With compression: the compressing stream over {@link #current}; null otherwise. */
  private OutputStream compressed;

  /** With compression: bytes of the open segment fed to the compressor. */
  private long compressedOffset;

  private long currentSegment = -1;
  private int currentTimeline;
  private Lsn written = Lsn.INVALID;
  private Lsn flushed = Lsn.INVALID;
  private boolean dirty;
  private long bytesWritten;
  private long segmentsCompleted;

  WalWriter(Path dir, WalSegments segments) {
    this(dir, segments, ArchiveSettings.Compression.NONE);
  }

  WalWriter(Path dir, WalSegments segments, ArchiveSettings.Compression compression) {
    this(dir, segments, compression, 0);
  }

  WalWriter(Path dir, WalSegments segments, ArchiveSettings.Compression compression, int level) {
    this.dir = dir;
    this.segments = segments;
    this.compression = compression;
    this.level = level;
  }

  /** Writes {@code data}, which starts at WAL position {@code start} on {@code timeline}. */
  void write(int timeline, Lsn start, ByteBuffer data) throws IOException {
    if (currentTimeline != 0 && timeline != currentTimeline) {
      switchTimeline(timeline);
    }
    ByteBuffer buf = data.duplicate();
    long pos = start.value();
    if (written.isValid()) {
      long end = pos + buf.remaining();
      if (Long.compareUnsigned(end, written.value()) <= 0) {
        return; // all of it is already written
      }
      if (Long.compareUnsigned(pos, written.value()) < 0) {
        buf.position(buf.position() + (int) (written.value() - pos));
        pos = written.value();
      } else if (pos != written.value()) {
        throw new IOException(
            "WAL from "
                + Lsn.of(pos)
                + " does not continue what was written up to "
                + written
                + "; refusing to leave a hole in the archive");
      }
    } else if (segments.offsetInSegment(Lsn.of(pos)) != 0) {
      throw new IOException("the archive must start at a segment's start, not at " + Lsn.of(pos));
    }
    currentTimeline = timeline;
    while (buf.hasRemaining()) {
      Lsn at = Lsn.of(pos);
      long segment = segments.segmentNumber(at);
      if (segment != currentSegment) {
        open(timeline, segment);
      }
      long offset = segments.offsetInSegment(at);
      int n = (int) Math.min(buf.remaining(), segments.segmentSize() - offset);
      ByteBuffer part = buf.slice(buf.position(), n);
      if (compressed != null) {
        if (offset != compressedOffset) {
          throw new IOException(
              "compressed segment fed up to offset "
                  + compressedOffset
                  + ", then WAL for offset "
                  + offset);
        }
        writeCompressed(part);
        compressedOffset += n;
      } else {
        long fileOffset = offset;
        while (part.hasRemaining()) {
          fileOffset += current.write(part, fileOffset);
        }
      }
      buf.position(buf.position() + n);
      pos += n;
      written = Lsn.of(pos);
      dirty = true;
      bytesWritten += n;
      if (offset + n == segments.segmentSize()) {
        complete(timeline, segment);
      }
    }
  }

  /**
   * WAL of a newer timeline: the old timeline's segment stays {@code .partial} (fsynced and closed,
   * as pg_receivewal leaves it), and the new timeline's WAL starts again at a segment's start (the
   * segment holding the switch point, which the server's file of the new timeline holds whole).
   */
  private void switchTimeline(int timeline) throws IOException {
    if (timeline < currentTimeline) {
      throw new IOException(
          "WAL of timeline " + timeline + " after timeline " + currentTimeline + " was written");
    }
    closeCurrent();
    written = Lsn.INVALID;
    dirty = false;
  }

  /** Makes everything written durable and returns the position up to which it is. */
  Lsn sync() throws IOException {
    if (dirty && current != null) {
      if (compressed != null) {
        // SYNC_FLUSH (gzip) / end of block (LZ4, zstd): what was fed is decompressible from the
        // file.
        compressed.flush();
      }
      current.force(true);
    }
    dirty = false;
    // After a timeline switch the new timeline starts below what the old one reached; the flush
    // position never goes back (the old timeline's WAL up to the switch is on disk), as
    // pg_receivewal's does not.
    flushed = Lsn.max(flushed, written);
    return flushed;
  }

  /** True when something was written since the last fsync. */
  boolean unsynced() {
    return dirty;
  }

  Lsn written() {
    return written;
  }

  Lsn flushed() {
    return flushed;
  }

  long bytesWritten() {
    return bytesWritten;
  }

  long segmentsCompleted() {
    return segmentsCompleted;
  }

  /** The file being written, or empty when none is open. */
  String currentFileName() {
    return current == null
        ? ""
        : segments.fileName(currentTimeline, currentSegment)
            + compression.suffix()
            + WalSegments.PARTIAL_SUFFIX;
  }

  private void open(int timeline, long segment) throws IOException {
    closeCurrent();
    String name = segments.fileName(timeline, segment);
    for (ArchiveSettings.Compression c : ArchiveSettings.Compression.values()) {
      if (Files.exists(dir.resolve(name + c.suffix()))) {
        throw new IOException(
            "segment "
                + name
                + c.suffix()
                + " is already complete in "
                + dir
                + "; it is not written again");
      }
    }
    if (compression != ArchiveSettings.Compression.NONE) {
      openCompressed(name, segment);
      return;
    }
    Path partial = dir.resolve(name + WalSegments.PARTIAL_SUFFIX);
    boolean created = !Files.exists(partial);
    current =
        FileChannel.open(
            partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    currentSegment = segment;
    if (created || current.size() == 0) {
      // Pre-padded as pg_receivewal does, so the file never grows (an fsync then covers the data
      // alone) and a later pg_receivewal accepts it.
      ByteBuffer zeros = ByteBuffer.allocate(ZEROS);
      long at = 0;
      while (at < segments.segmentSize()) {
        zeros.clear().limit((int) Math.min(ZEROS, segments.segmentSize() - at));
        at += current.write(zeros, at);
      }
      current.force(true);
      syncDirectory();
    }
  }

  /**
   * A compressed segment is always written from its first byte: a compressed stream cannot be
   * continued at an offset, so a {@code .gz.partial}/{@code .lz4.partial}/{@code .zst.partial} left
   * by an earlier run is truncated and written again (the start is the segment's start anyway, and
   * the server keeps the whole segment holding the slot's position). Not padded: compressed files
   * have no fixed size.
   */
  private void openCompressed(String name, long segment) throws IOException {
    Path partial = dir.resolve(name + compression.suffix() + WalSegments.PARTIAL_SUFFIX);
    current =
        FileChannel.open(
            partial,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
    currentSegment = segment;
    compressedOffset = 0;
    OutputStream file =
        new FilterOutputStream(Channels.newOutputStream(current)) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush(); // the channel is closed by the writer, after its fsync
          }
        };
    compressed = Compressors.open(compression, level, file);
    syncDirectory();
  }

  private void writeCompressed(ByteBuffer part) throws IOException {
    if (part.hasArray()) {
      compressed.write(part.array(), part.arrayOffset() + part.position(), part.remaining());
    } else {
      byte[] copy = new byte[part.remaining()];
      part.duplicate().get(copy);
      compressed.write(copy);
    }
  }

  private void complete(int timeline, long segment) throws IOException {
    finishCompressed();
    current.force(true);
    current.close();
    current = null;
    currentSegment = -1;
    dirty = false;
    String name = segments.fileName(timeline, segment) + compression.suffix();
    Files.move(
        dir.resolve(name + WalSegments.PARTIAL_SUFFIX),
        dir.resolve(name),
        StandardCopyOption.ATOMIC_MOVE);
    syncDirectory();
    segmentsCompleted++;
    flushed = Lsn.max(flushed, segments.segmentStartOf(segment + 1));
  }

  private void syncDirectory() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /**
   * Ends the compressed stream (gzip trailer, LZ4 end mark, zstd frame end); the channel stays
   * open.
   */
  private void finishCompressed() throws IOException {
    if (compressed != null) {
      compressed.close();
      compressed = null;
    }
  }

  private void closeCurrent() throws IOException {
    if (current != null) {
      finishCompressed();
      current.force(true);
      current.close();
      current = null;
      currentSegment = -1;
    }
  }

  /** Syncs and closes the open segment, which stays {@code .partial}. */
  @Override
  public void close() throws IOException {
    sync();
    closeCurrent();
  }
}
