package io.slotkeeper.bench;

import io.slotkeeper.Lsn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The thinnest reasonable pgjdbc physical archiver, as a yardstick for the archive benchmark: one
 * thread in a blocking {@link PGReplicationStream#read()} loop, writing each XLogData's payload at
 * its offset into a 16 MB {@code .partial} file pre-padded with zeros, and, as pg_receivewal does
 * without {@code --synchronous}, fsyncing only when a segment is complete (file, rename, directory)
 * and reporting flush only then. No supervision, no backpressure stage, no compression, no
 * timelines: whatever Slotkeeper's archiver costs on top of this is its overhead.
 */
final class ThinArchiveLoop {
  private static final long SEGMENT = 16L << 20;

  private ThinArchiveLoop() {}

  /**
   * Archives from {@code from} (a segment start) until it has received {@code target}, then fsyncs
   * what it holds (complete segments were fsynced as they completed).
   */
  static void archive(BenchDb db, String slot, Path dir, Lsn from, Lsn target) throws Exception {
    Files.createDirectories(dir);
    Properties props = new Properties();
    PGProperty.USER.set(props, db.pg.superuser());
    PGProperty.PASSWORD.set(props, db.pg.superuserPassword());
    PGProperty.REPLICATION.set(props, "true");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    try (Connection c = DriverManager.getConnection(db.pg.jdbcUrl(), props)) {
      PGReplicationStream stream =
          c.unwrap(PGConnection.class)
              .getReplicationAPI()
              .replicationStream()
              .physical()
              .withSlotName(slot)
              .withStartPosition(LogSequenceNumber.valueOf(from.value()))
              .withAutomaticFlush(false)
              .start();
      FileChannel file = null;
      long segment = -1;
      long flushed = from.value();
      ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
      long received = from.value();
      while (Long.compareUnsigned(received, target.value()) < 0) {
        ByteBuffer payload = stream.read();
        long end = stream.getLastReceiveLSN().asLong();
        long pos = end - payload.remaining();
        while (payload.hasRemaining()) {
          long seg = pos / SEGMENT;
          if (seg != segment) {
            file = open(dir, name(seg), zeros);
            segment = seg;
          }
          long offset = pos % SEGMENT;
          int n = (int) Math.min(payload.remaining(), SEGMENT - offset);
          ByteBuffer part = payload.slice(payload.position(), n);
          long at = offset;
          while (part.hasRemaining()) {
            at += file.write(part, at);
          }
          payload.position(payload.position() + n);
          pos += n;
          if (offset + n == SEGMENT) {
            file.force(true);
            file.close();
            file = null;
            segment = -1;
            Files.move(
                dir.resolve(name(seg) + ".partial"),
                dir.resolve(name(seg)),
                StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
            flushed = pos;
            stream.setFlushedLSN(LogSequenceNumber.valueOf(flushed));
            stream.setAppliedLSN(LogSequenceNumber.INVALID_LSN);
            stream.forceUpdateStatus();
          }
        }
        received = pos;
      }
      // The target may lie inside a segment (WAL written after the switch): as pg_receivewal
      // --endpos, fsync the partial one and stop.
      if (file != null) {
        file.force(true);
        file.close();
      }
      stream.close();
    }
  }

  private static FileChannel open(Path dir, String name, ByteBuffer zeros) throws IOException {
    FileChannel f =
        FileChannel.open(
            dir.resolve(name + ".partial"),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.READ);
    long at = 0;
    while (at < SEGMENT) {
      zeros.clear();
      at += f.write(zeros, at);
    }
    f.force(true);
    syncDirectory(dir);
    return f;
  }

  private static String name(long segment) {
    // Timeline 1; 16 MB segments: 256 per "log" number.
    return String.format("%08X%08X%08X", 1, segment / 256, segment % 256);
  }

  private static void syncDirectory(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }
}
