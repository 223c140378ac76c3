package io.slotkeeper.internal.physical;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A timeline's history file in the archive, written as pg_receivewal's {@code
 * writeTimeLineHistoryFile} writes it: the name must be the one PostgreSQL's {@code
 * TLHistoryFileName} gives ({@code %08X.history}), the server's content goes into {@code NAME.tmp},
 * which is fsynced and renamed into place (then the directory is fsynced). Timeline 1 has none.
 * restore_command fetches these files to follow a timeline switch, so they are never compressed.
 */
final class HistoryFile {
  private HistoryFile() {}

  static String name(int timeline) {
    return String.format("%08X.history", timeline);
  }

  /** Timeline 1 counts as present: it never has a history file. */
  static boolean present(Path dir, int timeline) {
    return timeline == 1 || Files.isRegularFile(dir.resolve(name(timeline)));
  }

  /**
   * @param serverName the file name the server gave, which must be ours
   * @param content the server's content (TIMELINE_HISTORY sends it as text, though labelled bytea)
   */
  static void write(Path dir, int timeline, String serverName, String content) throws IOException {
    String name = name(timeline);
    if (!name.equals(serverName)) {
      throw new IOException(
          "the server named the history file of timeline " + timeline + " " + serverName);
    }
    Files.createDirectories(dir);
    Path tmp = dir.resolve(name + ".tmp");
    Files.deleteIfExists(tmp);
    try (FileChannel f =
        FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        f.write(bytes);
      }
      f.force(true);
    }
    Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
