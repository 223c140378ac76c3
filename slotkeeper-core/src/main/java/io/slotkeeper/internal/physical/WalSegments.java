package io.slotkeeper.internal.physical;

import io.slotkeeper.Lsn;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WAL segment arithmetic and file names, as PostgreSQL's {@code xlog_internal.h} defines them:
 * {@code TTTTTTTTXXXXXXXXYYYYYYYY}, the timeline, then the segment number split into the "log" (the
 * high 32 bits of the position) and the segment within it. Pure functions of the segment size,
 * which is the server's {@code wal_segment_size} (a power of two from 1 MB to 1 GB).
 */
final class WalSegments {
  static final String PARTIAL_SUFFIX = ".partial";
  private static final Pattern NAME = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
  private static final Pattern FILE =
      Pattern.compile(
          "([0-9A-F]{24})(\\.gz|\\.lz4|\\.zst)?(" + Pattern.quote(PARTIAL_SUFFIX) + ")?");

  private final long segmentSize;

  WalSegments(long segmentSize) {
    if (segmentSize <= 0 || Long.bitCount(segmentSize) != 1) {
      throw new IllegalArgumentException(
          "wal_segment_size must be a power of two, not " + segmentSize);
    }
    this.segmentSize = segmentSize;
  }

  long segmentSize() {
    return segmentSize;
  }

  long segmentNumber(Lsn lsn) {
    return Long.divideUnsigned(lsn.value(), segmentSize);
  }

  /** The start of the segment holding {@code lsn}. */
  Lsn segmentStart(Lsn lsn) {
    return Lsn.of(lsn.value() - offsetInSegment(lsn));
  }

  Lsn segmentStartOf(long segmentNumber) {
    return Lsn.of(segmentNumber * segmentSize);
  }

  long offsetInSegment(Lsn lsn) {
    return lsn.value() & (segmentSize - 1);
  }

  private long segmentsPerLogId() {
    return 0x1_0000_0000L / segmentSize;
  }

  /** XLogFileName: the complete segment's file name. */
  String fileName(int timeline, long segmentNumber) {
    long perId = segmentsPerLogId();
    return String.format("%08X%08X%08X", timeline, segmentNumber / perId, segmentNumber % perId);
  }

  /**
   * A segment file found in a directory: complete, or still being written ({@code .partial});
   * {@code compressed} when its name has {@code .gz}, {@code .lz4} or {@code .zst}.
   */
  record SegmentFile(
      int timeline, long segmentNumber, boolean partial, boolean compressed, String fileName) {}

  /** The segment a file name names, or empty for anything else (history files, temporaries). */
  Optional<SegmentFile> parse(String fileName) {
    Matcher f = FILE.matcher(fileName);
    if (!f.matches()) {
      return Optional.empty();
    }
    Matcher n = NAME.matcher(f.group(1));
    if (!n.matches()) {
      return Optional.empty();
    }
    int timeline = (int) Long.parseLong(n.group(1), 16);
    long log = Long.parseLong(n.group(2), 16);
    long seg = Long.parseLong(n.group(3), 16);
    if (seg >= segmentsPerLogId()) {
      return Optional.empty(); // not a name this segment size produces
    }
    return Optional.of(
        new SegmentFile(
            timeline,
            log * segmentsPerLogId() + seg,
            f.group(3) != null,
            f.group(2) != null,
            fileName));
  }
}
