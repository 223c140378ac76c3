package io.slotkeeper.internal.connection;

import io.slotkeeper.Lsn;
import io.slotkeeper.SpoolSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where a connection keeps the chunks of streamed transactions (streaming = on or parallel) until
 * their Stream Commit or Stream Abort: up to {@code spool.memory-budget} bytes in memory for all of
 * them together, the rest in files under {@code spool.directory}, at most {@code spool.disk-limit}
 * bytes of those (past it {@link #diskFull} makes the connection stop reading, so the server waits
 * and nothing is dropped). One per connection: a new connection receives every unfinished streamed
 * transaction again from its start, so {@link #close} discards everything.
 */
final class StreamedTransactionSpool implements AutoCloseable {
  private final SpoolSettings settings;
  private final Path directory;
  private final String prefix;
  private final Map<Long, SpooledTransaction> open = new HashMap<>();
  private long memoryBytes;
  private long diskBytes;

  StreamedTransactionSpool(SpoolSettings settings, String slotName) {
    this.settings = settings;
    this.directory =
        settings.directory().isEmpty()
            ? Path.of(System.getProperty("java.io.tmpdir"), "slotkeeper-spool")
            : Path.of(settings.directory());
    this.prefix = slotName + "-";
  }

  /** Spools one message of transaction {@code xid}; {@code subXid} is the xid it carried. */
  void add(long xid, long subXid, boolean schema, Lsn walStart, byte[] payload) throws IOException {
    SpooledTransaction t = open.computeIfAbsent(xid, SpooledTransaction::new);
    SpoolRecord r = new SpoolRecord(walStart, schema, payload);
    if (!t.onDisk() && memoryBytes + payload.length <= settings.memoryBudget()) {
      t.addToMemory(subXid, r);
      memoryBytes += payload.length;
    } else {
      diskBytes += t.addToDisk(subXid, r, directory, prefix + xid + "-");
    }
  }

  /** Stream Abort of {@code subXid} in {@code xid} (the whole transaction when they are equal). */
  void abort(long xid, long subXid) throws IOException {
    SpooledTransaction t = open.get(xid);
    if (t == null) {
      return;
    }
    if (xid == subXid) {
      open.remove(xid);
      release(t);
    } else {
      t.abortSubtransaction(subXid);
    }
  }

  /**
   * Stream Commit of {@code xid}: the transaction leaves the spool, and {@link #release} must be
   * called once its replay is done. An empty one (every change filtered out) may never have been
   * spooled: null.
   */
  SpooledTransaction commit(long xid) {
    return open.remove(xid);
  }

  /** Gives back the memory and disk a transaction held, deleting its file. */
  void release(SpooledTransaction t) throws IOException {
    memoryBytes -= t.memoryBytes();
    diskBytes -= t.diskBytes();
    t.discard();
  }

  /**
   * The WAL start of the first spooled change of the oldest transaction still in progress, or null
   * when none is: no keepalive position past it is confirmed while it is open.
   */
  Lsn oldestInProgress() {
    Lsn oldest = null;
    for (SpooledTransaction t : open.values()) {
      Lsn first = t.firstLsn();
      if (first.isValid() && (oldest == null || first.isBefore(oldest))) {
        oldest = first;
      }
    }
    return oldest;
  }

  boolean diskFull() {
    return diskBytes >= settings.diskLimit();
  }

  long memoryBytes() {
    return memoryBytes;
  }

  long diskBytes() {
    return diskBytes;
  }

  Path directory() {
    return directory;
  }

  @Override
  public void close() {
    for (SpooledTransaction t : open.values()) {
      try {
        t.discard();
      } catch (IOException ignored) {
        // best effort: the connection is going away; a left file is only disk space
      }
    }
    open.clear();
    memoryBytes = 0;
    diskBytes = 0;
  }
}
