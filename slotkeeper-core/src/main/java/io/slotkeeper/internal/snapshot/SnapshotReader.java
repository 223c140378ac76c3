package io.slotkeeper.internal.snapshot;

import io.slotkeeper.InternalApi;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.TupleData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the published tables inside the snapshot a new slot exported, on {@code
 * slot.snapshot-readers} ordinary connections at once ({@link TableReader}s, each on its own
 * thread, each taking the next part from a shared list), and hands their rows out through {@link
 * #next} as the stream asks for them.
 *
 * <p>Parts: a table is one part, unless there are more readers than tables; then each table larger
 * than two chunks is split into {@code ceil(readers / tables)} ranges (on the first connection,
 * before any reading starts): block ranges in storage order on PostgreSQL 14+ ({@link
 * TableReader#splitBlocks}, any table), key ranges otherwise ({@link TableReader#splitPoints},
 * keyed tables only), and the readers take the ranges, so one large table is read by several
 * connections at once. Rows of a part come out as stored, or in key order (key order, or a key
 * range); rows of different parts and tables interleave, a chunk at a time.
 *
 * <p>Bounded, with one chunk of read-ahead: a reader reads a chunk while its previous one is being
 * handed out, and no further ({@link #CHUNKS_AHEAD} permits per reader, one given back when a chunk
 * has been handed out whole), so at most two chunks per reader are held here, however large the
 * tables, and reading goes on only as fast as the stream takes rows.
 *
 * <p>Every reader imports the snapshot in {@link #next}'s first call, before any row goes out; the
 * replication connection that exported it runs no other command until this reader is finished (its
 * owner, the connection actor, starts streaming only then), so the snapshot is still there for the
 * last import.
 *
 * <p>{@link #next} is blocking and called from one thread at a time; {@link #abort} may come from
 * any thread.
 */
@InternalApi
public final class SnapshotReader implements AutoCloseable {

  /** One row and the table it belongs to. */
  public record Row(Relation relation, TupleData row) {}

  /** Up to the asked number of rows; {@code finished} when every table has been read. */
  public record Batch(List<Row> rows, boolean finished) {}

  /**
   * Chunks a reader may hold (read, or being read, and not yet handed out whole): the one being
   * handed out and the next, read meanwhile so the reader's query overlaps the delivery.
   */
  static final int CHUNKS_AHEAD = 2;

  /** One table being read, perhaps in several parts at once. */
  private static final class TableWork {
    final PublishedTable table;

    /** Parts not read to their end yet (counted down by the handing thread). */
    final AtomicInteger partsLeft = new AtomicInteger(1);

    /** Chunks read, over all parts. */
    final AtomicLong chunks = new AtomicLong();

    TableWork(PublishedTable table) {
      this.table = table;
    }
  }

  /** A part of a table for one reader: a key range of it, or all of it. */
  private record Part(TableWork work, TableReader.Range range) {}

  /** What a reader thread hands over, in order, through {@link #ready}. */
  private sealed interface Item {}

  /**
   * A chunk of {@code table}; {@code number} counts from 1; {@code last} ends the table; {@code
   * skipped} says why a table was not read (then no rows).
   */
  private record Chunk(
      Semaphore permit, TableWork work, List<Row> rows, long number, boolean last, String skipped)
      implements Item {
    PublishedTable table() {
      return work.table;
    }
  }

  /** A reader has no more tables to take. */
  private record ReaderDone() implements Item {}

  private record ReaderFailed(Throwable failure) implements Item {}

  private static final Logger log = LoggerFactory.getLogger(SnapshotReader.class);

  private final SourceSettings settings;
  private final String snapshotName;
  private final int majorVersion;
  private final int chunkSize;
  private final AtomicReference<SnapshotProgress> progress;
  private final long startNanos = System.nanoTime();

  private final List<TableReader> readers = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Part> pending = new ConcurrentLinkedQueue<>();
  private final BlockingQueue<Item> ready = new LinkedBlockingQueue<>();
  private volatile boolean closed;

  private boolean opened;
  private List<PublishedTable> tables = List.of();
  private int readersDone;

  /** The chunk being handed out, and how much of it has gone. */
  private Chunk current;

  private int handedOut;

  private int tablesDone;
  private long rows;
  private final List<String> skipped = new ArrayList<>();

  /**
   * @param progress where the figures are published (the source's progress)
   */
  public SnapshotReader(
      SourceSettings settings,
      String snapshotName,
      int majorVersion,
      AtomicReference<SnapshotProgress> progress) {
    this.settings = settings;
    this.snapshotName = snapshotName;
    this.majorVersion = majorVersion;
    this.chunkSize = settings.slot().snapshotChunkSize();
    this.progress = progress;
  }

  /**
   * Opens the first reader, lists the tables inside its snapshot, opens the others (no more than
   * there are tables) and starts them. Blocking.
   */
  private void open() throws SQLException {
    opened = true;
    TableReader first = open(0);
    readers.add(first);
    tables = first.list(settings.publication().names(), majorVersion);
    // More readers than tables: each keyed table is split into key ranges (see the class comment),
    // so there is a part for every reader. Without a keyed table, no more readers than tables.
    int wanted = Math.max(1, settings.slot().snapshotReaders());
    int partsPerTable =
        tables.isEmpty() || wanted <= tables.size()
            ? 1
            : (wanted + tables.size() - 1) / tables.size();
    int parts = 0;
    // Storage order splits a table by its blocks where the server can scan a block range (TID
    // range scans came with PostgreSQL 14); key order, or 13, by key ranges.
    boolean byBlocks =
        settings.slot().snapshotOrder() == SlotSettings.SnapshotOrder.STORAGE && majorVersion >= 14;
    for (PublishedTable t : tables) {
      TableWork work = new TableWork(t);
      List<String> points = List.of();
      if (partsPerTable > 1 && largerThanTwoChunks(t)) {
        if (byBlocks) {
          points = first.splitBlocks(t, partsPerTable);
        } else if (t.keyed()) {
          points = first.splitPoints(t, partsPerTable);
        }
      }
      if (points.isEmpty()) {
        pending.add(new Part(work, TableReader.Range.ALL));
        parts++;
        continue;
      }
      String from = null;
      for (String p : points) {
        pending.add(new Part(work, new TableReader.Range(from, p, byBlocks)));
        from = p;
      }
      pending.add(new Part(work, new TableReader.Range(from, null, byBlocks)));
      work.partsLeft.set(points.size() + 1);
      parts += points.size() + 1;
      log.debug(
          "slot {}: snapshot of {} in {} {} ranges, split at {}",
          settings.slot().name(),
          t.relation().qualifiedName(),
          points.size() + 1,
          byBlocks ? "block" : "key",
          points);
    }
    int n = Math.max(1, Math.min(wanted, parts));
    for (int i = 1; i < n; i++) {
      if (closed) {
        throw new SQLException("snapshot reader closed while opening");
      }
      readers.add(open(i));
    }
    if (closed) {
      abort(); // an abort that came while a connection was being opened
      throw new SQLException("snapshot reader closed while opening");
    }
    log.info(
        "slot {}: snapshot {} imported on {} connection(s); reading {} table(s): {}",
        settings.slot().name(),
        snapshotName,
        readers.size(),
        tables.size(),
        tables.stream().map(t -> t.relation().qualifiedName()).collect(Collectors.joining(", ")));
    for (int i = 0; i < readers.size(); i++) {
      TableReader r = readers.get(i);
      Thread t =
          new Thread(() -> run(r), "slotkeeper-snapshot-" + settings.slot().name() + "-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    publish(SnapshotProgress.State.READING, null);
  }

  private TableReader open(int index) throws SQLException {
    TableReader r = TableReader.open(settings, snapshotName, index);
    r.useKeyOrder(settings.slot().snapshotOrder() == SlotSettings.SnapshotOrder.KEY);
    return r;
  }

  /** One reader's thread: parts, one after another, a chunk at a time. */
  private void run(TableReader r) {
    Semaphore permit = new Semaphore(CHUNKS_AHEAD);
    try {
      Part part;
      while (!closed && (part = pending.poll()) != null) {
        TableWork work = part.work();
        PublishedTable t = work.table;
        String skip = r.begin(t, part.range());
        if (skip != null) {
          permit.acquire();
          ready.put(new Chunk(permit, work, List.of(), 0, true, skip));
          continue;
        }
        boolean last = false;
        while (!last && !closed) {
          // At most CHUNKS_AHEAD chunks not yet handed out whole.
          permit.acquire();
          List<Row> chunk = r.nextChunk();
          last = chunk.size() < chunkSize;
          ready.put(new Chunk(permit, work, chunk, work.chunks.incrementAndGet(), last, null));
        }
      }
      ready.put(new ReaderDone());
    } catch (Throwable e) {
      ready.add(new ReaderFailed(e));
    }
  }

  /** A table of more than two chunks (or not analyzed yet, so of unknown size). */
  private boolean largerThanTwoChunks(PublishedTable t) {
    return t.estimatedRows() < 0 || t.estimatedRows() > 2L * chunkSize;
  }

  /**
   * Up to {@code max} rows (at least one unless finished), waiting for a reader only when none has
   * a chunk ready.
   */
  public Batch next(int max) throws SQLException {
    if (!opened) {
      open();
    }
    return fill(max, true);
  }

  /**
   * Up to {@code max} rows that are ready now, without waiting and without opening: null when there
   * are none (then {@link #next} waits for them), so a caller on a thread that must not block takes
   * what the readers have read ahead and leaves only the waits to a blocking thread. Not at the
   * same time as {@link #next}.
   */
  public Batch poll(int max) throws SQLException {
    if (!opened) {
      return null;
    }
    Batch b = fill(max, false);
    return b.rows().isEmpty() && !b.finished() ? null : b;
  }

  private Batch fill(int max, boolean wait) throws SQLException {
    List<Row> out = new ArrayList<>(Math.min(max, chunkSize));
    while (out.size() < max) {
      if (current != null && handedOut < current.rows().size()) {
        int n = Math.min(max - out.size(), current.rows().size() - handedOut);
        out.addAll(current.rows().subList(handedOut, handedOut + n));
        handedOut += n;
        continue;
      }
      if (current != null) {
        Chunk done = current;
        current = null;
        done.permit().release(); // its reader may read the next chunk
      }
      if (readersDone == readers.size()) {
        publish(SnapshotProgress.State.DONE, null);
        return new Batch(out, true);
      }
      Item item;
      try {
        item = wait && out.isEmpty() ? ready.take() : ready.poll();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while waiting for the snapshot's readers", e);
      }
      if (item == null) {
        break;
      }
      if (item instanceof ReaderDone) {
        readersDone++;
      } else if (item instanceof ReaderFailed f) {
        throw rethrow(f.failure());
      } else if (item instanceof Chunk c) {
        take(c);
      }
    }
    return new Batch(out, false);
  }

  private void take(Chunk c) {
    current = c;
    handedOut = 0;
    rows += c.rows().size();
    if (c.skipped() != null) {
      String line = c.table().relation().qualifiedName() + ": " + c.skipped();
      log.warn("slot {}: snapshot skips {}", settings.slot().name(), line);
      if (!skipped.contains(line)) {
        skipped.add(line);
      }
    }
    if (c.last() && c.work().partsLeft.decrementAndGet() == 0) {
      tablesDone++;
      log.debug(
          "slot {}: snapshot of {} read in {} chunk(s)",
          settings.slot().name(),
          c.table().relation().qualifiedName(),
          c.number());
    }
    publish(SnapshotProgress.State.READING, c);
  }

  private static SQLException rethrow(Throwable t) {
    if (t instanceof SQLException e) {
      return e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new SQLException(t.getMessage(), t);
  }

  /** The figures as of the chunk just taken ({@code null}: none yet, or all done). */
  private void publish(SnapshotProgress.State state, Chunk c) {
    PublishedTable t = c == null ? null : c.table();
    long estimate =
        t == null || t.estimatedRows() < 0 ? -1 : (t.estimatedRows() + chunkSize - 1) / chunkSize;
    progress.set(
        new SnapshotProgress(
            state,
            t == null ? "" : t.relation().qualifiedName(),
            tablesDone,
            tables.size(),
            c == null ? 0 : c.number(),
            estimate,
            rows,
            Duration.ofNanos(System.nanoTime() - startNanos),
            skipped));
  }

  /** Closes every reader's socket from any thread: reads running now fail at once. */
  public void abort() {
    closed = true;
    for (TableReader r : readers) {
      r.abort();
    }
    threads.forEach(Thread::interrupt);
  }

  @Override
  public void close() {
    closed = true;
    threads.forEach(Thread::interrupt);
    for (TableReader r : readers) {
      r.close();
    }
  }
}
