package io.slotkeeper.internal.snapshot;

import io.slotkeeper.BackfillProgress;
import io.slotkeeper.InternalApi;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.TableName;
import io.slotkeeper.internal.connection.JdbcProperties;
import io.slotkeeper.internal.source.BackfillWatermark;
import io.slotkeeper.internal.source.SourceActor;
import io.slotkeeper.internal.status.StatusMonitor;
import io.slotkeeper.internal.supervision.SqlStates;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online backfill of one source (the watermark method: DBLog, Debezium's incremental
 * snapshots), on its own ordinary connection, on the blocking dispatcher. Per chunk: tells the
 * {@link SourceActor} which table and key it is about, writes the low watermark (a transactional
 * logical message in its own transaction), selects the next key range (READ COMMITTED, one
 * statement), hands the rows to the SourceActor and writes the high watermark. The SourceActor
 * notes the stream's changes of the table from the low watermark on and, at the high one, delivers
 * the rows the stream did not change (see {@code BackfillChunk}); it then says so ({@link
 * ChunkDelivered}) and the next chunk starts, so at most one chunk is held. Once the ledger
 * confirms a chunk's high watermark ({@link ChunkConfirmed}) its end is recorded in the progress
 * table ({@link BackfillProgressTable}); at start, unfinished backfills of the slot found there are
 * continued after their last recorded key.
 *
 * <p>Tables are backfilled one after another, in the order asked. A failed chunk (connection lost)
 * is read again after the restart back-off. A table dropped meanwhile (or found dropped when an
 * unfinished backfill is continued at start) ends its backfill: a warning, the waiters told why,
 * the table named in {@code progress().backfill().ended()} and the status, its progress row
 * removed; the stream and the queued tables go on. Figures go to {@code progress().backfill()} and
 * the status reason.
 */
@InternalApi
public final class BackfillActor extends AbstractBehavior<BackfillActor.Command> {

  public interface Command {}

  /** Backfill {@code table}; {@code done} completes once its last chunk was delivered. */
  public record Request(TableName table, CompletableFuture<Done> done) implements Command {}

  /** The SourceActor delivered chunk {@code chunk} at its high watermark. */
  public record ChunkDelivered(long chunk, int rows, int fromStream) implements Command {}

  /** The ledger confirmed chunk {@code chunk}'s high watermark: record its progress. */
  public record ChunkConfirmed(long chunk) implements Command {}

  /** Chunk {@code chunk}'s watermarks will never be seen (the slot was replaced): read it again. */
  public record ChunkLost(long chunk) implements Command {}

  /**
   * The stream starts anew on another slot after a gap (RESYNC_REQUIRED was delivered): changes in
   * the gap are lost, so the chunks delivered before prove nothing; the backfill in progress starts
   * again from its table's first key, its recorded progress reset, and what was delivered but not
   * confirmed is never recorded.
   */
  public enum Resync implements Command {
    INSTANCE
  }

  /**
   * The source streams from its slot (told at every start): watermarks written from now on lie
   * after the slot's start, so the stream will bring them. Until the first, nothing is read.
   */
  public enum Streaming implements Command {
    INSTANCE
  }

  private enum ResumeStored implements Command {
    INSTANCE
  }

  private enum Retry implements Command {
    INSTANCE
  }

  private static final Logger log = LoggerFactory.getLogger(BackfillActor.class);

  /** One table's backfill. */
  private static final class Job {
    final TableName name;
    final List<CompletableFuture<Done>> waiters = new ArrayList<>();
    BackfillTable table;

    /** Key of the last row delivered (the next chunk starts after it); null: from the start. */
    List<String> lastKey;

    long baseChunks;
    long baseRows;
    long chunks;
    long rows;
    long fromStream;
    Instant started;

    /** Chunks expected from the planner's row count, less those recorded before; -1: unknown. */
    long chunksEstimated = -1;

    /** Continued from the progress table at start, not asked for by this process. */
    boolean resumed;

    /** Read from the first key whatever the progress table says (again after a resync). */
    boolean fromStart;

    Job(TableName name) {
      this.name = name;
    }
  }

  /** What a delivered chunk records once confirmed. */
  private record Recorded(
      TableName table, List<String> lastKey, long chunks, long rows, boolean finished) {}

  private final SourceSettings settings;
  private final AtomicReference<BackfillProgress> progress;
  private final ActorRef<StatusMonitor.Command> monitor;
  private final ActorRef<SourceActor.Command> source;
  private final String run;
  private final TimerScheduler<Command> timers;
  private final BackfillProgressTable store;

  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  private Job job;
  private boolean streaming;
  private boolean resumeWarned;
  private Connection connection;
  private long nextChunk;

  /** The chunk between its watermarks (0: none), where it ends, and whether it is the last. */
  private long inFlight;

  private List<String> inFlightLastKey;
  private boolean inFlightLast;
  private final Map<Long, Recorded> unconfirmed = new HashMap<>();
  private Job lastDone;

  /** Tables whose backfill ended unfinished, each as {@code schema.table: why}. */
  private final List<String> ended = new ArrayList<>();

  /** When the status reason was last set: at most once a second while chunks go by. */
  private long lastReasonNanos;

  public static Behavior<Command> create(
      SourceSettings settings,
      AtomicReference<BackfillProgress> progress,
      ActorRef<StatusMonitor.Command> monitor,
      ActorRef<SourceActor.Command> source,
      String run) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new BackfillActor(ctx, timers, settings, progress, monitor, source, run)));
  }

  private BackfillActor(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      SourceSettings settings,
      AtomicReference<BackfillProgress> progress,
      ActorRef<StatusMonitor.Command> monitor,
      ActorRef<SourceActor.Command> source,
      String run) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.progress = progress;
    this.monitor = monitor;
    this.source = source;
    this.run = run;
    this.store =
        new BackfillProgressTable(
            TableName.parse(settings.backfill().progressTable()), settings.slot().name());
    ctx.getSelf().tell(ResumeStored.INSTANCE);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(ResumeStored.INSTANCE, this::onResumeStored)
        .onMessage(Request.class, this::onRequest)
        .onMessageEquals(
            Streaming.INSTANCE,
            () -> {
              streaming = true;
              next();
              return this;
            })
        .onMessage(ChunkDelivered.class, this::onDelivered)
        .onMessage(ChunkConfirmed.class, this::onConfirmed)
        .onMessageEquals(Resync.INSTANCE, this::onResync)
        .onMessage(
            ChunkLost.class,
            m -> {
              if (m.chunk() == inFlight) {
                inFlight = 0;
                readChunk();
              }
              return this;
            })
        .onMessageEquals(
            Retry.INSTANCE,
            () -> {
              if (job != null && inFlight == 0) {
                readChunk();
              } else {
                next();
              }
              return this;
            })
        .onSignal(
            PostStop.class,
            s -> {
              closeConnection();
              IllegalStateException stopped =
                  new IllegalStateException("the source stopped before the backfill finished");
              if (job != null) {
                job.waiters.forEach(f -> f.completeExceptionally(stopped));
              }
              queue.forEach(j -> j.waiters.forEach(f -> f.completeExceptionally(stopped)));
              return this;
            })
        .build();
  }

  /** Continues, by itself, every backfill of this slot the progress table shows unfinished. */
  private Behavior<Command> onResumeStored() {
    try {
      for (TableName t : store.unfinished(connection())) {
        log.info(
            "slot {}: continuing the unfinished backfill of {} recorded in {}",
            settings.slot().name(),
            t,
            store.name());
        enqueue(t, null).resumed = true;
      }
      next();
    } catch (SQLException | RuntimeException e) {
      closeConnection();
      // Every source looks at start, backfill or not: say it once, not at every retry.
      boolean first = !resumeWarned;
      resumeWarned = true;
      (first ? log.atWarn() : log.atDebug())
          .log(
              "slot {}: could not read the backfill progress table {} ({}); trying again in {}",
              settings.slot().name(),
              store.name(),
              e.getMessage(),
              settings.restart().maxBackoff());
      timers.startSingleTimer(ResumeStored.INSTANCE, settings.restart().maxBackoff());
    }
    return this;
  }

  private Behavior<Command> onRequest(Request m) {
    enqueue(m.table(), m.done());
    next();
    return this;
  }

  private Job enqueue(TableName table, CompletableFuture<Done> done) {
    Job same = job != null && job.name.equals(table) ? job : null;
    for (Job j : queue) {
      if (j.name.equals(table)) {
        same = j;
      }
    }
    if (same == null) {
      same = new Job(table);
      queue.add(same);
    }
    if (done != null) {
      same.waiters.add(done);
    }
    return same;
  }

  /**
   * Starts the next table when none is being read; with nothing left to do, closes the connection
   * (an idle source holds no backfill connection; recording a confirmed chunk opens it again).
   */
  private void next() {
    nextTable();
    if (job == null && queue.isEmpty()) {
      closeConnection();
    }
  }

  private void nextTable() {
    // A watermark written before the slot exists (a slot still to be created) would never come.
    while (streaming && job == null && !queue.isEmpty()) {
      Job j = queue.poll();
      try {
        Connection c = connection();
        j.table = BackfillTable.describe(c, j.name, settings);
        store.ensure(c);
        BackfillProgressTable.Stored stored = store.read(c, j.name);
        if (stored != null && !stored.finished() && !j.fromStart) {
          j.lastKey = stored.lastKey();
          j.baseChunks = stored.chunks();
          j.baseRows = stored.rows();
          log.info(
              "slot {}: backfill of {} continues after key {} ({} chunks, {} rows acknowledged)",
              settings.slot().name(),
              j.name,
              j.lastKey,
              j.baseChunks,
              j.baseRows);
        } else {
          store.start(c, j.name);
          log.info("slot {}: backfill of {} starts", settings.slot().name(), j.name);
        }
        long estimated = j.table.table.estimatedRows();
        int chunkSize = settings.backfill().chunkSize();
        // The last chunk is the first one shorter than a chunk: rows / size + 1 in all.
        j.chunksEstimated =
            estimated < 0 ? -1 : Math.max(0, estimated / chunkSize + 1 - j.baseChunks);
        j.started = Instant.now();
        job = j;
        readChunk();
      } catch (SourceFailedException e) {
        // The progress table is out of this role's reach: retrying cannot help, the stage says
        // what to run.
        log.error("slot {}: backfill of {}: {}", settings.slot().name(), j.name, e.getMessage());
        j.waiters.forEach(f -> f.completeExceptionally(e));
      } catch (BackfillTable.PublishedAsPartitions e) {
        byPartitions(j, e.partitions);
      } catch (BackfillTable.Missing e) {
        if (j.resumed && j.waiters.isEmpty()) {
          // Recorded as unfinished, dropped while no source ran it.
          endDropped(j, "dropped before its backfill could continue");
        } else {
          log.error("slot {}: {}", settings.slot().name(), e.getMessage());
          j.waiters.forEach(f -> f.completeExceptionally(e));
        }
      } catch (IllegalArgumentException e) {
        log.error("slot {}: {}", settings.slot().name(), e.getMessage());
        j.waiters.forEach(f -> f.completeExceptionally(e));
      } catch (SQLException | RuntimeException e) {
        // Not the table's fault: try again after the back-off.
        closeConnection();
        queue.addFirst(j);
        retryLater(j.name, e);
        return;
      }
    }
  }

  /**
   * {@code j}'s table is published by its partitions: each goes first in the queue, in order, as a
   * table of its own (with its own progress row); {@code j}'s waiters complete once all have, with
   * the first failure if any.
   */
  private void byPartitions(Job j, List<TableName> partitions) {
    log.info(
        "slot {}: {} is published by its partitions (publish_via_partition_root off); backfilling"
            + " {}",
        settings.slot().name(),
        j.name,
        partitions);
    List<CompletableFuture<Done>> parts = new ArrayList<>();
    List<Job> jobs = new ArrayList<>();
    for (TableName p : partitions) {
      Job part = new Job(p);
      CompletableFuture<Done> f = new CompletableFuture<>();
      part.waiters.add(f);
      parts.add(f);
      jobs.add(part);
    }
    for (int i = jobs.size() - 1; i >= 0; i--) {
      queue.addFirst(jobs.get(i));
    }
    List<CompletableFuture<Done>> waiters = List.copyOf(j.waiters);
    CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
        .whenComplete(
            (v, error) -> {
              Throwable cause =
                  error instanceof java.util.concurrent.CompletionException ce
                      ? ce.getCause()
                      : error;
              waiters.forEach(
                  w -> {
                    if (cause == null) {
                      w.complete(Done.getInstance());
                    } else {
                      w.completeExceptionally(cause);
                    }
                  });
            });
  }

  /**
   * One chunk: the oldest running transaction noted, the low watermark (its xid told to the
   * SourceActor before it commits), the select, the rows told, the high watermark (likewise).
   */
  private void readChunk() {
    Job j = job;
    long id = ++nextChunk;
    try {
      Connection c = connection();
      long xmin = oldestRunningXid(c);
      long lowXid =
          watermark(
              c,
              id,
              false,
              xid ->
                  source.tell(
                      new SourceActor.BackfillChunkStarted(
                          id, j.name.schema(), j.name.name(), j.table.keyColumns, xmin, xid)));
      BackfillTable.Chunk chunk = j.table.next(c, j.lastKey, settings.backfill().chunkSize());
      boolean last = chunk.rows().size() < settings.backfill().chunkSize();
      inFlight = id;
      inFlightLastKey = chunk.lastKey() != null ? chunk.lastKey() : j.lastKey;
      inFlightLast = last;
      watermark(
          c,
          id,
          true,
          xid ->
              source.tell(
                  new SourceActor.BackfillChunkRead(
                      id, j.table.relation(), chunk.rows(), xid, last)));
      publish(BackfillProgress.State.RUNNING);
    } catch (SQLException | RuntimeException e) {
      inFlight = 0;
      source.tell(new SourceActor.BackfillChunkAbandoned(id));
      closeConnection();
      if (e instanceof SQLException s && SqlStates.UNDEFINED_TABLE.equals(s.getSQLState())) {
        job = null;
        endDropped(j, "dropped mid-backfill (" + firstLine(e.getMessage()) + ")");
        next();
        return;
      }
      retryLater(j.name, e);
    }
  }

  /**
   * Ends {@code j}'s backfill because its table is gone: the waiters are told why, progress() and
   * the status name it among the ended ones, and its recorded progress is removed (nothing to
   * continue; a later start would otherwise find it unfinished every time). The stream and the
   * other backfills go on. Chunks already delivered stay delivered: the consumer decides what a
   * dropped table's rows mean to it.
   */
  private void endDropped(Job j, String why) {
    String line = j.name + ": " + why;
    log.warn(
        "slot {}: backfill of {} ended after {} chunks: {}",
        settings.slot().name(),
        j.name,
        j.chunks,
        line);
    unconfirmed.values().removeIf(r -> r.table().equals(j.name));
    try {
      store.forget(connection(), j.name);
    } catch (SQLException | RuntimeException e) {
      closeConnection();
      log.warn(
          "slot {}: could not remove the progress of the dropped table {} from {} ({}); a later"
              + " start ends it again",
          settings.slot().name(),
          j.name,
          store.name(),
          e.getMessage());
    }
    ended.add(line);
    IllegalStateException reason =
        new IllegalStateException("the backfill of " + j.name + " ended: it was " + why);
    j.waiters.forEach(f -> f.completeExceptionally(reason));
    if (j.started == null) {
      j.started = Instant.now();
    }
    lastDone = j;
    publish(BackfillProgress.State.DONE);
  }

  /** The server's message without its ERROR: label and its Position: line. */
  private static String firstLine(String message) {
    String line = message == null ? "" : message.lines().findFirst().orElse("");
    return line.startsWith("ERROR: ") ? line.substring("ERROR: ".length()) : line;
  }

  /**
   * The oldest transaction running now (32-bit xid): one that commits in the WAL before the low
   * watermark but is not yet visible to the select was running now, so it is at or above this.
   */
  private static long oldestRunningXid(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT txid_snapshot_xmin(txid_current_snapshot()) % 4294967296");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Writes a watermark: a transactional logical message in a transaction of its own, so it is
   * decoded at its commit, in commit order with the changes around it. Its xid goes to {@code
   * announce} before the commit, so the SourceActor knows it before the stream can bring it (on 13,
   * where pgoutput sends no messages, the xid is all that identifies the empty transaction).
   */
  private long watermark(
      Connection c, long chunk, boolean high, java.util.function.LongConsumer announce)
      throws SQLException {
    c.setAutoCommit(false);
    try {
      long xid;
      try (PreparedStatement ps = c.prepareStatement("SELECT txid_current() % 4294967296");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        xid = rs.getLong(1);
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
        ps.setString(1, BackfillWatermark.PREFIX);
        ps.setString(2, BackfillWatermark.content(settings.slot().name(), run, chunk, high));
        ps.execute();
      }
      announce.accept(xid);
      c.commit();
      return xid;
    } catch (SQLException | RuntimeException e) {
      try {
        c.rollback();
      } catch (SQLException ignored) {
        // the connection is closed by the caller
      }
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  private Behavior<Command> onDelivered(ChunkDelivered m) {
    if (job == null || m.chunk() != inFlight) {
      return this;
    }
    Job j = job;
    inFlight = 0;
    j.lastKey = inFlightLastKey;
    j.chunks++;
    j.rows += m.rows();
    j.fromStream += m.fromStream();
    unconfirmed.put(
        m.chunk(),
        new Recorded(
            j.name, j.lastKey, j.baseChunks + j.chunks, j.baseRows + j.rows, inFlightLast));
    if (!inFlightLast) {
      readChunk();
      return this;
    }
    log.info(
        "slot {}: backfill of {} delivered: {} chunks, {} rows ({} left to the stream) in {} s",
        settings.slot().name(),
        j.name,
        j.chunks,
        j.rows,
        j.fromStream,
        Duration.between(j.started, Instant.now()).toSeconds());
    lastDone = j;
    job = null;
    publish(BackfillProgress.State.DONE);
    j.waiters.forEach(f -> f.complete(Done.getInstance()));
    next();
    return this;
  }

  private Behavior<Command> onResync() {
    // Their high watermarks lay on the old slot: no confirmation will come for them. A table
    // delivered whole but not confirmed is read again too: its record is not finished, and the
    // gap lost its changes as well.
    List<TableName> again = new ArrayList<>();
    unconfirmed.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .map(e -> e.getValue().table())
        .filter(t -> (job == null || !t.equals(job.name)) && !again.contains(t))
        .forEach(again::add);
    unconfirmed.clear();
    for (TableName t : again) {
      log.warn(
          "slot {}: the stream starts on a new slot after a gap; the backfill of {} was delivered"
              + " but not acknowledged, so it is read again",
          settings.slot().name(),
          t);
      enqueue(t, null).fromStart = true;
    }
    Job j = job;
    if (j == null) {
      next();
      return this;
    }
    log.warn(
        "slot {}: the stream starts on a new slot after a gap; the backfill of {} starts again"
            + " from its first key ({} chunks were delivered before the gap)",
        settings.slot().name(),
        j.name,
        j.chunks);
    j.lastKey = null;
    if (j.chunksEstimated >= 0) {
      j.chunksEstimated += j.baseChunks;
    }
    j.baseChunks = 0;
    j.baseRows = 0;
    j.chunks = 0;
    j.rows = 0;
    j.fromStream = 0;
    j.started = Instant.now();
    try {
      store.start(connection(), j.name);
    } catch (SQLException | RuntimeException e) {
      // The next confirmed chunk records the new progress over the old.
      closeConnection();
      log.warn(
          "slot {}: could not reset the backfill progress of {} ({})",
          settings.slot().name(),
          j.name,
          e.getMessage());
    }
    // A chunk between its watermarks will not complete (the SourceActor forgot it); without one,
    // a retry is pending and reads from the first key.
    if (inFlight != 0) {
      inFlight = 0;
      readChunk();
    }
    return this;
  }

  private Behavior<Command> onConfirmed(ChunkConfirmed m) {
    Recorded r = unconfirmed.remove(m.chunk());
    if (r == null) {
      return this;
    }
    // Confirmations come in delivery order: earlier chunks are covered by this one.
    unconfirmed.keySet().removeIf(chunk -> chunk < m.chunk());
    try {
      store.record(connection(), r.table(), r.lastKey(), r.chunks(), r.rows(), r.finished());
      if (r.finished()) {
        log.info(
            "slot {}: backfill of {} acknowledged whole; recorded as finished in {}",
            settings.slot().name(),
            r.table(),
            store.name());
      }
    } catch (SQLException | RuntimeException e) {
      // The next confirmed chunk records a later state; a crash before it reads this one again.
      closeConnection();
      log.warn(
          "slot {}: could not record the backfill progress of {} ({})",
          settings.slot().name(),
          r.table(),
          e.getMessage());
    }
    if (job == null && queue.isEmpty() && unconfirmed.isEmpty()) {
      closeConnection();
    }
    return this;
  }

  private void retryLater(TableName table, Exception e) {
    log.warn(
        "slot {}: backfill of {} interrupted ({}); trying again in {}",
        settings.slot().name(),
        table,
        e.getMessage(),
        settings.restart().maxBackoff());
    monitor.tell(
        new StatusMonitor.SetDetail(
            "backfill of " + table + " interrupted (" + e.getMessage() + "); trying again",
            getContext().getSelf()));
    timers.startSingleTimer(Retry.INSTANCE, settings.restart().maxBackoff());
  }

  private void publish(BackfillProgress.State state) {
    Job j = state == BackfillProgress.State.DONE ? lastDone : job;
    List<String> queued = new ArrayList<>();
    queue.forEach(q -> queued.add(q.name.toString()));
    BackfillProgress p =
        new BackfillProgress(
            !queued.isEmpty() && state == BackfillProgress.State.DONE
                ? BackfillProgress.State.RUNNING
                : state,
            j.name.toString(),
            j.chunks,
            j.chunksEstimated,
            j.rows,
            j.fromStream,
            queued,
            Duration.between(j.started, Instant.now()),
            ended);
    progress.set(p);
    long now = System.nanoTime();
    if (p.state() != BackfillProgress.State.RUNNING
        || p.chunks() == 0
        || now - lastReasonNanos > 1_000_000_000L) {
      lastReasonNanos = now;
      monitor.tell(new StatusMonitor.SetDetail(p.describe(), getContext().getSelf()));
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Properties props = JdbcProperties.of(settings);
      // Text format for every value: the server's own output, as the snapshot reads it.
      props.setProperty("binaryTransfer", "false");
      props.setProperty(
          "ApplicationName",
          props.getProperty("ApplicationName", "slotkeeper:" + settings.slot().name())
              + ":backfill");
      Connection c = DriverManager.getConnection(settings.connection().url(), props);
      c.setAutoCommit(true);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      connection = c;
    }
    return connection;
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // gone anyway
      }
      connection = null;
    }
  }
}
