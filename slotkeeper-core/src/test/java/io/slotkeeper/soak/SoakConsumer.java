package io.slotkeeper.soak;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.CommittableOffset;
import io.slotkeeper.Lsn;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.StreamAbort;
import io.slotkeeper.pgoutput.StreamCommit;
import io.slotkeeper.pgoutput.StreamStart;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.Update;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The consumer of one incarnation: rebuilds units from envelopes, records each complete unit, then
 * acknowledges it. Can stall (stop pulling). With cumulative acknowledgement on (the default), now
 * and then only the last unit of a short batch is acknowledged: the engine takes an acknowledgement
 * as covering everything delivered before it, so the log counts the whole batch as acknowledged at
 * that moment.
 *
 * <p>With deliver-in-progress, a streamed transaction's changes arrive before it commits: the
 * consumer holds them provisionally per top-level xid (dropping a rolled-back subtransaction's from
 * its first change on, the whole transaction on its abort, and what it holds for an xid whose first
 * segment comes again), and records the transaction as a unit only at its STREAM_COMMIT (with
 * two-phase, a STREAM_PREPARE makes it prepared state until its COMMIT_PREPARED), so the checker
 * sees only committed work, exactly as without the option.
 */
final class SoakConsumer {
  final int incarnation;
  private final AckLog acks;
  private final boolean cumulative;
  private final Random random;
  private final List<Unit> delivered = Collections.synchronizedList(new ArrayList<>());

  /**
   * Two-phase: the changes of each prepared transaction by GID, kept across incarnations like a
   * consumer's durable prepared state: after a restart its COMMIT_PREPARED may come alone (its
   * PREPARE was acknowledged before). A prepared transaction and its COMMIT_PREPARED make the unit
   * the oracle sees at COMMIT PREPARED; ROLLBACK_PREPARED drops it. GIDs are unique per run.
   */
  private static final java.util.Map<String, List<String>> PREPARED =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** STREAM_PREPARE elements received in this JVM, for the run's summary. */
  static final java.util.concurrent.atomic.AtomicLong STREAM_PREPARES =
      new java.util.concurrent.atomic.AtomicLong();

  private final List<String> anomalies = Collections.synchronizedList(new ArrayList<>());
  private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
  // Only touched on the stream's thread (Sink.foreach runs one element at a time).
  private long openXid = -1;
  private Lsn openCommitLsn;
  private List<String> open;

  /** A provisional change of a streamed transaction and the (sub)transaction it belongs to. */
  private record Provisional(long subXid, String change) {}

  // deliver-in-progress: the open streamed transactions' provisional changes, by top-level xid.
  private final Map<Long, List<Provisional>> streamed = new HashMap<>();
  private static final long BATCH_MAX_MILLIS = 300;
  private static final ScheduledExecutorService BATCH_TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "soak-batch-timer");
            t.setDaemon(true);
            return t;
          });
  private final List<Lsn> batch = new ArrayList<>();

  /**
   * Unit positions this incarnation's source took the acknowledgement of (its {@code commit()}
   * stage completed normally): what the API promises a later final status update covers.
   */
  private final java.util.Set<Lsn> taken = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private CommittableOffset batchLast;
  private int batchLeft;

  SoakConsumer(int incarnation, AckLog acks, boolean cumulative, Random random) {
    this.incarnation = incarnation;
    this.acks = acks;
    this.cumulative = cumulative;
    this.random = random;
  }

  CompletionStage<ChangeEnvelope> pass(ChangeEnvelope e) {
    return gate.thenApply(v -> e);
  }

  synchronized void stall() {
    if (gate.isDone()) {
      gate = new CompletableFuture<>();
    }
  }

  synchronized void resume() {
    gate.complete(null);
  }

  void accept(ChangeEnvelope e) {
    switch (e.kind()) {
      case BEGIN -> {
        if (open != null) {
          anomaly("BEGIN xid " + e.xid() + " at " + e.lsn() + " while xid " + openXid + " is open");
        }
        openXid = e.xid();
        openCommitLsn = e.commitLsn();
        open = new ArrayList<>();
      }
      case INSERT, UPDATE, DELETE, TRUNCATE -> inTransaction(e);
      case MESSAGE -> {
        LogicalMessage m = (LogicalMessage) e.message();
        if (m.transactional()) {
          inTransaction(e);
        } else {
          if (open != null) {
            // pgoutput sends a standalone message at once, even while a transaction is being sent
            // only with streaming, which this source does not ask for.
            anomaly("standalone message at " + m.lsn() + " inside xid " + openXid);
          }
          finish(
              new Unit(Unit.Kind.MESSAGE, m.lsn(), 0, List.of(EnvelopeCanon.of(e))),
              e.committableOffset());
        }
      }
      case COMMIT -> {
        Commit c = (Commit) e.message();
        if (open == null) {
          anomaly("COMMIT at " + c.endLsn() + " without BEGIN");
        } else if (!c.commitLsn().equals(openCommitLsn)) {
          anomaly(
              "COMMIT commit_lsn " + c.commitLsn() + " differs from its BEGIN's " + openCommitLsn);
        }
        List<String> changes = open == null ? List.of() : open;
        open = null;
        finish(
            new Unit(Unit.Kind.TRANSACTION, c.endLsn(), openXid, changes), e.committableOffset());
      }
      case STREAM_START -> {
        StreamStart st = (StreamStart) e.message();
        if (st.firstSegment()) {
          // After a reconnect the transaction comes again from its start: drop what is held.
          streamed.put(st.xid(), new ArrayList<>());
        } else if (!streamed.containsKey(st.xid())) {
          anomaly("STREAM_START of xid " + st.xid() + " at " + e.lsn() + " without its first");
          streamed.put(st.xid(), new ArrayList<>());
        }
      }
      case STREAM_STOP -> {}
      case STREAM_ABORT -> {
        StreamAbort a = (StreamAbort) e.message();
        if (a.xid() == a.subXid()) {
          streamed.remove(a.xid());
        } else {
          List<Provisional> held = streamed.getOrDefault(a.xid(), new ArrayList<>());
          // Subtransactions are streamed in WAL order: everything from the rolled-back one's first
          // change to its abort is its own or its children's.
          for (int i = 0; i < held.size(); i++) {
            if (held.get(i).subXid() == a.subXid()) {
              held.subList(i, held.size()).clear();
              break;
            }
          }
        }
      }
      case STREAM_COMMIT -> {
        StreamCommit c = (StreamCommit) e.message();
        List<Provisional> held = streamed.remove(c.xid());
        if (held == null) {
          anomaly("STREAM_COMMIT of xid " + c.xid() + " at " + c.endLsn() + " never started");
          held = List.of();
        }
        finish(
            new Unit(
                Unit.Kind.TRANSACTION,
                c.endLsn(),
                c.xid(),
                held.stream().map(Provisional::change).toList()),
            e.committableOffset());
      }
      case BEGIN_PREPARE -> {
        if (open != null) {
          anomaly("BEGIN_PREPARE xid " + e.xid() + " while xid " + openXid + " is open");
        }
        openXid = e.xid();
        openCommitLsn = e.commitLsn();
        open = new ArrayList<>();
      }
      case PREPARE -> {
        io.slotkeeper.pgoutput.Prepare p = (io.slotkeeper.pgoutput.Prepare) e.message();
        if (open == null) {
          anomaly("PREPARE at " + p.endLsn() + " without BEGIN_PREPARE");
        }
        PREPARED.put(p.gid(), open == null ? List.of() : open);
        open = null;
        // No oracle unit yet; a later acknowledgement covers it (they are cumulative).
      }
      case STREAM_PREPARE -> {
        // deliver-in-progress with two-phase: the streamed transaction was prepared; what is held
        // for its xid is its prepared state, exactly as a PREPARE's.
        io.slotkeeper.pgoutput.StreamPrepare p = (io.slotkeeper.pgoutput.StreamPrepare) e.message();
        STREAM_PREPARES.incrementAndGet();
        List<Provisional> held = streamed.remove(p.xid());
        if (held == null) {
          anomaly("STREAM_PREPARE of xid " + p.xid() + " at " + p.endLsn() + " never started");
          held = List.of();
        }
        PREPARED.put(p.gid(), held.stream().map(Provisional::change).toList());
      }
      case COMMIT_PREPARED -> {
        io.slotkeeper.pgoutput.CommitPrepared c =
            (io.slotkeeper.pgoutput.CommitPrepared) e.message();
        List<String> changes = PREPARED.remove(c.gid());
        if (changes == null) {
          anomaly("COMMIT_PREPARED " + c.gid() + " at " + c.endLsn() + " whose PREPARE never came");
          changes = List.of();
        }
        finish(
            new Unit(Unit.Kind.TRANSACTION, c.endLsn(), c.xid(), changes), e.committableOffset());
      }
      case ROLLBACK_PREPARED ->
          PREPARED.remove(((io.slotkeeper.pgoutput.RollbackPrepared) e.message()).gid());
      case RESYNC_REQUIRED -> anomaly("RESYNC_REQUIRED: " + e);
      default -> anomaly("unexpected " + e.kind() + " at " + e.lsn());
    }
  }

  private void inTransaction(ChangeEnvelope e) {
    if (e.inProgress()) {
      List<Provisional> held = streamed.get(e.xid());
      if (held == null) {
        anomaly(e.kind() + " at " + e.lsn() + " of streamed xid " + e.xid() + " not started");
        return;
      }
      held.add(new Provisional(subXidOf(e), EnvelopeCanon.of(e)));
      return;
    }
    if (open == null) {
      anomaly(e.kind() + " at " + e.lsn() + " outside a transaction");
      return;
    }
    open.add(EnvelopeCanon.of(e));
  }

  /** The (sub)transaction an in-progress change was made in, as the server marks it. */
  private static long subXidOf(ChangeEnvelope e) {
    if (e.message() instanceof Insert m) {
      return m.xid();
    } else if (e.message() instanceof Update m) {
      return m.xid();
    } else if (e.message() instanceof Delete m) {
      return m.xid();
    } else if (e.message() instanceof Truncate m) {
      return m.xid();
    } else if (e.message() instanceof LogicalMessage m) {
      return m.xid();
    }
    return e.xid();
  }

  private void finish(Unit unit, CommittableOffset offset) {
    if (!offset.isUnitEnd() || !offset.lsn().equals(unit.position())) {
      anomalies.add(
          "acknowledgement offset: incarnation "
              + incarnation
              + ": offset "
              + offset
              + " of "
              + unit.describe()
              + " is not the unit's end (the slot would be confirmed past the next record)");
    }
    // pgoutput before 15 sends empty transactions; the oracle drops them, so does the record.
    if (!unit.changes().isEmpty()) {
      delivered.add(unit);
    }
    acknowledge(unit.position(), offset);
  }

  /**
   * Acknowledges at once, or, in cumulative mode now and then, holds the acknowledgement back until
   * the last unit of a short batch, whose offset then covers the whole batch.
   */
  private synchronized void acknowledge(Lsn position, CommittableOffset offset) {
    if (cumulative && batchLeft == 0 && random.nextInt(5) == 0) {
      batchLeft = 2 + random.nextInt(5);
      // Like a real batching consumer, never hold a batch for long: a held acknowledgement keeps a
      // FAST server shutdown waiting (the walsender exits only once the client confirms all it
      // sent).
      BATCH_TIMER.schedule(this::flushBatch, BATCH_MAX_MILLIS, TimeUnit.MILLISECONDS);
    }
    if (batchLeft > 0) {
      batch.add(position);
      batchLast = offset;
      if (--batchLeft == 0) {
        flushBatch();
      }
      return;
    }
    acks.acknowledging(position);
    offset.commit().thenRun(() -> taken.add(position));
  }

  /** Acknowledges a batch still held back (its time is up, or the stream went quiet). */
  synchronized void flushBatch() {
    if (batchLast != null) {
      batch.forEach(acks::acknowledging);
      List<Lsn> covered = List.copyOf(batch);
      batch.clear();
      batchLeft = 0;
      CommittableOffset last = batchLast;
      batchLast = null;
      // Cumulative: taking the last one takes the whole batch.
      last.commit().thenRun(() -> taken.addAll(covered));
    }
  }

  private void anomaly(String what) {
    anomalies.add("envelope stream: incarnation " + incarnation + ": " + what);
  }

  /** Whether this incarnation's source took an acknowledgement of {@code position}. */
  boolean took(Lsn position) {
    return taken.contains(position);
  }

  List<Unit> delivered() {
    synchronized (delivered) {
      return List.copyOf(delivered);
    }
  }

  Unit lastDelivered() {
    synchronized (delivered) {
      return delivered.isEmpty() ? null : delivered.get(delivered.size() - 1);
    }
  }

  List<String> anomalies() {
    synchronized (anomalies) {
      return List.copyOf(anomalies);
    }
  }
}
