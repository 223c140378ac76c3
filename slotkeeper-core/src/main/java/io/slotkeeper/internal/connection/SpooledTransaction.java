package io.slotkeeper.internal.connection;

import io.slotkeeper.Lsn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chunks received so far of one streamed, not yet committed top-level transaction: a prefix in
 * memory and, once the spool's memory budget is used up, the rest in a {@link DiskSpoolFile}.
 * Entries are numbered in arrival order.
 *
 * <p>Subtransactions (checked in PostgreSQL's pgoutput.c and worker.c, 14-18): inside a stream
 * block each change carries the xid of the (sub)transaction it belongs to, and so do the Relation
 * and Type messages sent before a change; Stream Abort carries the top-level xid and the aborted
 * subtransaction's xid (equal when the whole transaction aborted). Subtransactions nest and the
 * server streams in WAL order, so everything from the first change of an aborted subtransaction on
 * belongs to it or to its children: like the apply worker (which truncates its spool file at that
 * point), this drops every entry from there up to the abort. Relation and Type messages are the
 * exception: pgoutput sends a relation's schema once per streamed top-level transaction, not again
 * after a subtransaction aborted, so they are always kept for the replay.
 */
final class SpooledTransaction {
  final long xid;

  /**
   * WAL start of the first message with a valid one: a Relation or Type message goes out with 0/0
   * (written with more to follow in the same callback), the change after it with its own record's
   * start.
   */
  private Lsn firstLsn;

  private final List<SpoolRecord> memory = new ArrayList<>();
  private DiskSpoolFile disk;
  private long memoryBytes;
  private long next;

  /** First entry number of each subtransaction (and of the top-level xid) seen. */
  private final Map<Long, Long> firstEntry = new HashMap<>();

  /** Ranges [from, to) of entry numbers that an aborted subtransaction dropped. */
  private final List<long[]> aborted = new ArrayList<>();

  SpooledTransaction(long xid) {
    this.xid = xid;
    this.firstLsn = Lsn.INVALID;
  }

  /** The WAL start of its first change, or {@link Lsn#INVALID} before one arrived. */
  Lsn firstLsn() {
    return firstLsn;
  }

  /** Numbers the entry and notes the first entry of {@code subXid}. */
  private void number(long subXid, Lsn walStart) {
    if (!firstLsn.isValid() && walStart.isValid()) {
      firstLsn = walStart;
    }
    firstEntry.putIfAbsent(subXid, next);
    next++;
  }

  void addToMemory(long subXid, SpoolRecord r) {
    number(subXid, r.walStart());
    memory.add(r);
    memoryBytes += r.payload().length;
  }

  /** Bytes this transaction added to the disk spool. */
  long addToDisk(long subXid, SpoolRecord r, Path directory, String prefix) throws IOException {
    if (disk == null) {
      disk = DiskSpoolFile.create(directory, prefix);
    }
    number(subXid, r.walStart());
    long before = disk.bytes();
    disk.append(r.walStart(), r.schema(), r.payload());
    return disk.bytes() - before;
  }

  /** Once on disk, every later entry goes there too, so that entries stay in order. */
  boolean onDisk() {
    return disk != null;
  }

  long memoryBytes() {
    return memoryBytes;
  }

  long diskBytes() {
    return disk == null ? 0 : disk.bytes();
  }

  /** The subtransaction {@code subXid} aborted: drops its entries and everything after them. */
  void abortSubtransaction(long subXid) {
    Long from = firstEntry.get(subXid);
    if (from == null) {
      return; // nothing of it was streamed
    }
    aborted.add(new long[] {from, next});
    firstEntry.values().removeIf(first -> first >= from);
  }

  private boolean dropped(long entry) {
    for (long[] range : aborted) {
      if (entry >= range[0] && entry < range[1]) {
        return true;
      }
    }
    return false;
  }

  /** Reads the entries back once, in order, leaving out what aborted subtransactions dropped. */
  Replay replay() throws IOException {
    if (disk != null) {
      disk.finishWriting();
    }
    return new Replay();
  }

  void discard() throws IOException {
    memory.clear();
    if (disk != null) {
      disk.close();
    }
  }

  /** The committed transaction's entries, one at a time (the disk part is streamed from file). */
  final class Replay {
    private long entry;

    /** The next entry to deliver, or null at the end. */
    SpoolRecord next() throws IOException {
      while (true) {
        SpoolRecord r;
        if (entry < memory.size()) {
          r = memory.get((int) entry);
          memory.set((int) entry, null); // let it go as soon as it is handed out
        } else if (disk != null) {
          r = disk.next();
        } else {
          r = null;
        }
        if (r == null) {
          return null;
        }
        long n = entry++;
        if (r.schema() || !dropped(n)) {
          return r;
        }
      }
    }
  }
}
