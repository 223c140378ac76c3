package io.slotkeeper.cli;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.DrainingControl;
import io.slotkeeper.javadsl.ReplicationSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The replication source wired to an output: changes become JSON Lines, and a transaction is
 * acknowledged only once all its lines are written and flushed.
 *
 * <p>Writes happen in batches on one dedicated thread ({@link LineWriting}, as {@code cluster}'s).
 */
final class StreamPipeline {
  private static final long END_IDLE_NANOS = 500_000_000L;

  /** Counters published by the writer thread for progress lines, HTTP and the demo. */
  static final class Stats {
    /** Insert, update and delete lines written and flushed. */
    final AtomicLong rows = new AtomicLong();

    /** All change lines (rows, truncates, messages) written and flushed. */
    final AtomicLong changes = new AtomicLong();

    /** Transactions (and standalone messages) written, flushed and acknowledged. */
    final AtomicLong transactions = new AtomicLong();

    /** Envelopes the writer has taken from the source, written or not. */
    final AtomicLong consumed = new AtomicLong();

    volatile boolean inTransaction;
    volatile Lsn lastCommitLsn = Lsn.INVALID;

    /**
     * Acknowledgement position (end of commit record) of the last unit written and acknowledged.
     */
    volatile Lsn lastAcknowledged = Lsn.INVALID;
  }

  /**
   * A started pipeline: the source's control paired with the writing stream's completion, so
   * draining needs nothing else.
   */
  record Running(DrainingControl<Done> control, CompletableFuture<Lsn> endReached, Stats stats) {

    /** The writing stream's completion. */
    CompletionStage<Done> done() {
      return control.streamCompletion();
    }
  }

  /** The output could not be written; nothing after the last flush was acknowledged. */
  static final class OutputFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutputFailed(String target, IOException cause) {
      super("cannot write to " + target + ": " + cause.getMessage(), cause);
    }
  }

  private final SourceSettings settings;
  private final OutputTarget target;
  private final boolean withTx;
  private final Lsn endLsn;
  private final Consumer<List<ChangeEnvelope>> afterWrite;
  private final Stats stats = new Stats();
  private final CompletableFuture<Lsn> endReached = new CompletableFuture<>();
  private final AtomicBoolean finished = new AtomicBoolean();
  private final ExecutorService writer = LineWriting.writerThread("slotkeeper-writer");
  private static final int INITIAL_BYTES = 1 << 16;
  private static final int MAX_KEPT_BYTES = 1 << 22;
  // The lines of the batch being written; touched by the writer thread only.
  private LineBytes lines = new LineBytes(INITIAL_BYTES);
  private volatile long pauseUntilNanos;
  private long idleSinceNanos = -1;

  /**
   * @param endLsn stop after the last transaction committed at or before it; null to run until
   *     stopped
   * @param afterWrite called on the writer thread with each batch after it was flushed and
   *     acknowledged
   */
  StreamPipeline(
      SourceSettings settings,
      OutputTarget target,
      boolean withTx,
      Lsn endLsn,
      Consumer<List<ChangeEnvelope>> afterWrite) {
    this.settings = settings;
    this.target = target;
    this.withTx = withTx;
    this.endLsn = endLsn;
    this.afterWrite = afterWrite;
  }

  Running run(ActorSystem<?> system) {
    DrainingControl<Done> control =
        ReplicationSource.create(settings)
            .via(LineWriting.inBatches(writer, this::write))
            .toMat(Sink.ignore(), DrainingControl::create)
            .run(system);
    control.streamCompletion().whenComplete((d, e) -> writer.shutdown());
    // The launcher keeps this run's class-data dump only once streaming was reached.
    control.subscribe(
        s -> {
          if (s.level() == StatusLevel.ACTIVE) {
            ClassSharingMark.streaming();
          }
        });
    return new Running(control, endReached, stats);
  }

  /**
   * Makes the writer sit still for {@code millis} before its next batch: a stalled consumer (demo).
   */
  void pause(long millis) {
    pauseUntilNanos = System.nanoTime() + millis * 1_000_000L;
  }

  private Done write(List<ChangeEnvelope> batch) {
    long wait = pauseUntilNanos - System.nanoTime();
    if (wait > 0) {
      try {
        Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (finished.get()) {
      stats.consumed.addAndGet(batch.size());
      return Done.getInstance();
    }
    // One buffer for every batch (only the writer thread writes): a fresh one per batch grew by
    // copying several times (lines are longer than any guess), 8% of the program's CPU on a
    // catch-up.
    LineBytes sb = lines;
    sb.clear();
    List<ChangeEnvelope> units = new ArrayList<>();
    List<ChangeEnvelope> written = new ArrayList<>(batch.size());
    long rows = 0;
    long changes = 0;
    boolean inTx = stats.inTransaction;
    for (ChangeEnvelope e : batch) {
      stats.consumed.incrementAndGet();
      // Snapshot rows are the state the stream starts from, whatever --end-lsn says.
      if (endLsn != null
          && e.kind() != ChangeEnvelope.Kind.SNAPSHOT
          && e.commitLsn().isAfter(endLsn)) {
        // Everything from here on committed after the end position: not written, not acknowledged.
        finish();
        break;
      }
      ChangeJson.append(sb, e, withTx);
      written.add(e);
      switch (e.kind()) {
        case BEGIN, BEGIN_PREPARE -> inTx = true;
        case COMMIT, PREPARE -> inTx = false;
        case INSERT, UPDATE, DELETE -> rows++;
        default -> {}
      }
      if (e.kind() != ChangeEnvelope.Kind.BEGIN
          && e.kind() != ChangeEnvelope.Kind.COMMIT
          && e.kind() != ChangeEnvelope.Kind.RESYNC_REQUIRED
          && !isStreamControl(e.kind())
          && !twoPhaseMarker(e.kind())) {
        changes++;
      }
      if (e.committableOffset().isUnitEnd()) {
        units.add(e);
      }
    }
    if (sb.length() > 0) {
      if (sb.capacity() > MAX_KEPT_BYTES) {
        // A batch of huge values: do not keep its buffer for the quiet time after it.
        lines = new LineBytes(INITIAL_BYTES);
      }
      LineWriting.writeAndFlush(target, sb);
    }
    // Only now, with every line of these transactions flushed, may the slot move past them.
    for (ChangeEnvelope u : units) {
      u.committableOffset().commit();
      stats.lastCommitLsn = u.commitLsn();
      stats.lastAcknowledged = u.committableOffset().lsn();
    }
    stats.rows.addAndGet(rows);
    stats.changes.addAndGet(changes);
    stats.transactions.addAndGet(units.size());
    stats.inTransaction = inTx;
    if (afterWrite != null && !written.isEmpty()) {
      afterWrite.accept(written);
    }
    return Done.getInstance();
  }

  /** The lines around a streamed transaction's chunks (--deliver-in-progress): no changes. */
  private static boolean isStreamControl(ChangeEnvelope.Kind k) {
    return k == ChangeEnvelope.Kind.STREAM_START
        || k == ChangeEnvelope.Kind.STREAM_STOP
        || k == ChangeEnvelope.Kind.STREAM_COMMIT
        || k == ChangeEnvelope.Kind.STREAM_PREPARE
        || k == ChangeEnvelope.Kind.STREAM_ABORT;
  }

  /** Two-phase boundaries: not changes. */
  private static boolean twoPhaseMarker(ChangeEnvelope.Kind kind) {
    return switch (kind) {
      case BEGIN_PREPARE, PREPARE, COMMIT_PREPARED, ROLLBACK_PREPARED -> true;
      default -> false;
    };
  }

  private void finish() {
    if (finished.compareAndSet(false, true)) {
      endReached.complete(stats.lastCommitLsn);
    }
  }

  /**
   * For --end-lsn when nothing after the end position arrives: once the server has sent WAL up to
   * the end position, the writer has everything the source delivered and no transaction is open,
   * and that stays so for half a second, every transaction at or before the end has been written.
   * Called from the command's loop (one thread).
   */
  void checkEndWhileIdle(SourceProgress p) {
    if (endLsn == null || finished.get()) {
      return;
    }
    boolean caughtUp =
        !p.receivedLsn().isBefore(endLsn)
            && !stats.inTransaction
            && stats.consumed.get() == p.deliveredEnvelopes();
    long now = System.nanoTime();
    if (!caughtUp) {
      idleSinceNanos = -1;
    } else if (idleSinceNanos < 0) {
      idleSinceNanos = now;
    } else if (now - idleSinceNanos >= END_IDLE_NANOS) {
      finish();
    }
  }
}
