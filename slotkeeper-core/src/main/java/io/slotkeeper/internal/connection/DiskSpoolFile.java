package io.slotkeeper.internal.connection;

import io.slotkeeper.Lsn;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One spooled transaction's overflow on disk: the pgoutput messages that did not fit the memory
 * budget, appended in arrival order and read back once, in that order, at its Stream Commit. The
 * file is private to one connection (a reconnect starts a new spool) and deleted when the
 * transaction is delivered or aborted, or the connection ends.
 */
final class DiskSpoolFile implements AutoCloseable {
  /** Per record: WAL start (8), schema flag (1), payload length (4). */
  static final int RECORD_OVERHEAD = 13;

  private final Path path;
  private DataOutputStream out;
  private DataInputStream in;
  private long bytes;

  private DiskSpoolFile(Path path) throws IOException {
    this.path = path;
    this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16));
  }

  static DiskSpoolFile create(Path directory, String prefix) throws IOException {
    Files.createDirectories(directory);
    return new DiskSpoolFile(Files.createTempFile(directory, prefix, ".spool"));
  }

  void append(Lsn walStart, boolean schema, byte[] payload) throws IOException {
    out.writeLong(walStart.value());
    out.writeBoolean(schema);
    out.writeInt(payload.length);
    out.write(payload);
    bytes += RECORD_OVERHEAD + payload.length;
  }

  /** Bytes written so far. */
  long bytes() {
    return bytes;
  }

  Path path() {
    return path;
  }

  /** Ends writing; records are then read from the start with {@link #next}. */
  void finishWriting() throws IOException {
    out.close();
    out = null;
    in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16));
  }

  /** The next record, or null at the end. */
  SpoolRecord next() throws IOException {
    long lsn;
    try {
      lsn = in.readLong();
    } catch (EOFException end) {
      return null;
    }
    boolean schema = in.readBoolean();
    byte[] payload = new byte[in.readInt()];
    in.readFully(payload);
    return new SpoolRecord(Lsn.of(lsn), schema, payload);
  }

  /** Closes and deletes the file. */
  @Override
  public void close() throws IOException {
    try {
      if (out != null) {
        out.close();
      }
      if (in != null) {
        in.close();
      }
    } finally {
      out = null;
      in = null;
      Files.deleteIfExists(path);
    }
  }
}
