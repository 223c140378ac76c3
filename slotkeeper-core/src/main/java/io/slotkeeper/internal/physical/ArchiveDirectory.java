package io.slotkeeper.internal.physical;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** What an archive directory already holds: its newest segment, complete or {@code .partial}. */
final class ArchiveDirectory {
  private ArchiveDirectory() {}

  /**
   * The newest segment file: the highest segment number, then the highest timeline, then a complete
   * file before a partial one. Complete plain files of the wrong size are not segments of this
   * server's size and are ignored, as pg_receivewal ignores them; compressed ones (.gz, .lz4, .zst)
   * are taken by name.
   */
  static Optional<WalSegments.SegmentFile> newest(Path dir, WalSegments segments)
      throws IOException {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(
              p -> segments.parse(p.getFileName().toString()).filter(f -> sizeFits(p, f, segments)))
          .flatMap(Optional::stream)
          .max(
              Comparator.comparingLong(WalSegments.SegmentFile::segmentNumber)
                  .thenComparingInt(WalSegments.SegmentFile::timeline)
                  .thenComparing(f -> !f.partial()));
    }
  }

  private static boolean sizeFits(Path p, WalSegments.SegmentFile f, WalSegments segments) {
    try {
      return f.partial() || f.compressed() || Files.size(p) == segments.segmentSize();
    } catch (IOException e) {
      return false;
    }
  }
}
