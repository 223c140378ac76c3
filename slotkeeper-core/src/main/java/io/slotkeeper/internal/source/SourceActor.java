package io.slotkeeper.internal.source;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.TableName;
import io.slotkeeper.internal.admin.AdminActor;
import io.slotkeeper.internal.connection.ConnectionActor;
import io.slotkeeper.internal.connection.ConnectionContext;
import io.slotkeeper.internal.connection.OwnWalsenders;
import io.slotkeeper.internal.snapshot.BackfillActor;
import io.slotkeeper.internal.stage.StageHandle;
import io.slotkeeper.internal.status.StatusMonitor;
import io.slotkeeper.internal.supervision.Restarter;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.CommitPrepared;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.Prepare;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RollbackPrepared;
import io.slotkeeper.pgoutput.StreamCommit;
import io.slotkeeper.pgoutput.StreamPrepare;
import io.slotkeeper.pgoutput.TupleData;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root of one source's actor tree and the keeper of its {@link DeliveryLedger}. It outlives
 * every connection: it routes the stream's demand to the current {@link ConnectionActor}, drops
 * what a reconnect replays, hands the rest to the stream stage, takes acknowledgements and
 * publishes the confirmed position that connections report to the server.
 *
 * <pre>
 * SourceActor ── StatusMonitor
 *             └─ Restarter ── ConnectionActor (one per connection attempt)
 * </pre>
 */
@InternalApi
public final class SourceActor extends AbstractBehavior<SourceActor.Command> {

  public interface Command {}

  /** The stage can take another batch. */
  public enum Demand implements Command {
    INSTANCE
  }

  /** The stage stopped (downstream finished, cancelled or failed). */
  public enum StageStopped implements Command {
    INSTANCE
  }

  /**
   * A connection streams from its slot, which stood at {@code slotConfirmed}. {@code resync} is set
   * when the start does not continue what was delivered (an invalidated slot replaced, a slot or
   * server this source did not have before: see {@link StreamHistory}).
   */
  public record Streaming(
      ActorRef<ConnectionActor.Command> connection, Lsn slotConfirmed, ResyncRequired resync)
      implements Command {}

  /**
   * A connection created its slot exporting a snapshot and is about to deliver the snapshot's rows
   * (SNAPSHOT envelopes in {@link Received}); {@link Streaming} follows once they are all read.
   * {@code resync} is set when this start does not continue what was delivered (an interrupted
   * snapshot taken again, a temporary slot created anew): it is delivered before any row.
   */
  public record Snapshotting(
      ActorRef<ConnectionActor.Command> connection, Lsn consistentPoint, ResyncRequired resync)
      implements Command {}

  /**
   * What a connection read, in stream order. {@code answersRead} is true for the part that used up
   * the {@link ConnectionActor.Read}'s envelopes; false for a part sent while the read stays open
   * (what had arrived so far, or keepalives only).
   */
  public record Received(
      ActorRef<ConnectionActor.Command> connection, List<StreamItem> items, boolean answersRead)
      implements Command {
    public Received(ActorRef<ConnectionActor.Command> connection, List<StreamItem> items) {
      this(connection, items, true);
    }
  }

  /**
   * An acknowledgement; {@code taken} completes once the ledger has it (see {@link
   * Acknowledgements}).
   */
  public record Ack(Lsn endLsn, CompletableFuture<Done> taken) implements Command {}

  /** Stop emitting; the connection stays for acknowledgements until {@link Shutdown}. */
  public record StopEmitting(CompletableFuture<Void> done) implements Command {}

  public record Shutdown(CompletableFuture<Void> done) implements Command {}

  /** The Restarter gave up: the error needs a person. */
  public record Failed(SourceFailedException error) implements Command {}

  /** {@code Control.backfill}: passed on to the {@link BackfillActor}. */
  public record Backfill(TableName table, CompletableFuture<Done> done) implements Command {}

  /**
   * The backfill is about to write chunk {@code chunk}'s low watermark: from that watermark on the
   * stream's changes of {@code schema.table} are noted by {@code keyColumns} (told before the
   * watermark is written, so it is here before the stream can bring the watermark).
   */
  public record BackfillChunkStarted(
      long chunk, String schema, String table, List<String> keyColumns, long xmin, long lowXid)
      implements Command {}

  /**
   * Chunk {@code chunk} as selected; told before its high watermark (transaction {@code highXid})
   * is committed. {@code last}: the table's last chunk.
   */
  public record BackfillChunkRead(
      long chunk, Relation relation, List<TupleData> rows, long highXid, boolean last)
      implements Command {}

  /** Chunk {@code chunk} failed before its high watermark was written: forget it. */
  public record BackfillChunkAbandoned(long chunk) implements Command {}

  /** The StatusMonitor published FAILED for {@code error}: now the stream may fail with it. */
  private record FailurePublished(SourceFailedException error) implements Command {}

  private record ConnectionGone(ActorRef<ConnectionActor.Command> connection) implements Command {}

  private enum RestarterGone implements Command {
    INSTANCE
  }

  private enum ShutdownComplete implements Command {
    INSTANCE
  }

  private static final Logger log = LoggerFactory.getLogger(SourceActor.class);
  private static final Duration UNACKNOWLEDGED_WARNING_REPEAT = java.time.Duration.ofMinutes(1);

  private final SourceSettings settings;
  private final StageHandle stage;
  private final SourceState state;
  private final Runnable onStopped;
  private final ActorRef<StatusMonitor.Command> monitor;
  private final DeliveryLedger ledger = new DeliveryLedger(Lsn.INVALID);

  /** Outlives connections like the ledger: the history each new start must continue. */
  private final StreamHistory history = new StreamHistory();

  private final List<CompletableFuture<Void>> shutdownWaiters = new ArrayList<>();
  private ActorRef<Restarter.Command> restarter;
  private final ActorRef<AdminActor.Command> admin;

  /**
   * The consistent point of an initial snapshot whose completion is not recorded yet (null: none):
   * the first consumer acknowledgement of a unit after it records it ({@code SnapshotMarker}).
   */
  private Lsn snapshotAwaitingAck;

  private CompletableFuture<Void> restarterDone;
  private ActorRef<ConnectionActor.Command> connection;
  private boolean demand;
  private boolean readInFlight;
  private boolean emitting = true;
  private boolean shuttingDown;
  private boolean stopRequested;
  private final HeartbeatFilter heartbeats;
  private final Acknowledgements acknowledgements;
  private boolean unacknowledgedHigh;
  private long lastUnacknowledgedWarning;

  /**
   * The online backfill: its actor (one per source, on the blocking dispatcher), this
   * materialization's run id (in every watermark it writes), the chunk between its watermarks
   * (null: none), and each delivered chunk's high-watermark position until the ledger confirms it.
   */
  private final ActorRef<BackfillActor.Command> backfill;

  private final String backfillRun = UUID.randomUUID().toString();
  private BackfillChunk backfillChunk;
  private final ArrayDeque<long[]> backfillUnconfirmed = new ArrayDeque<>();

  /** Handles a running source needs from outside the actor. */
  public record Refs(ActorRef<Command> source, ActorRef<StatusMonitor.Command> monitor) {}

  public static Behavior<Command> create(
      SourceSettings settings,
      StageHandle stage,
      SourceState state,
      CompletableFuture<Refs> refs,
      Runnable onStopped) {
    return Behaviors.setup(ctx -> new SourceActor(ctx, settings, stage, state, refs, onStopped));
  }

  private SourceActor(
      ActorContext<Command> ctx,
      SourceSettings settings,
      StageHandle stage,
      SourceState state,
      CompletableFuture<Refs> refs,
      Runnable onStopped) {
    super(ctx);
    this.onStopped = onStopped;
    this.settings = settings;
    this.stage = stage;
    this.state = state;
    // With heartbeat.deliver the filter still takes the backfill's watermarks out of the stream.
    this.heartbeats =
        new HeartbeatFilter(settings.heartbeat().prefix(), !settings.heartbeat().deliver());
    // On PostgreSQL 13 a watermark comes as an empty transaction: known by its xid.
    this.heartbeats.ownXids(
        xid -> backfillChunk != null && backfillChunk.isWatermark(xid & 0xFFFF_FFFFL));
    ActorRef<Command> self = ctx.getSelf();
    this.monitor =
        ctx.spawn(
            StatusMonitor.create(settings.slot().name(), state.status, Clock.systemUTC()),
            "status");
    this.acknowledgements = new Acknowledgements(settings.slot().name(), self::tell);
    // Blocking JDBC: the admin actor runs on the blocking dispatcher, never taking the threads
    // the connections need for their keepalives.
    this.admin =
        ctx.spawn(
            AdminActor.create(settings, state, monitor),
            "admin",
            DispatcherSelector.fromConfig(settings.blockingDispatcher()));
    this.backfill =
        ctx.spawn(
            BackfillActor.create(settings, state.backfill, monitor, self, backfillRun),
            "backfill",
            DispatcherSelector.fromConfig(settings.blockingDispatcher()));
    // Shared by every connection of this source, so a later one can end an orphan of an earlier
    // one.
    OwnWalsenders ownWalsenders = new OwnWalsenders();
    // Outlives each connection: binary = auto's fallback to text for the next connect.
    AtomicReference<String> binaryFallback = new AtomicReference<>();
    this.restarter =
        ctx.spawn(
            Restarter.create(
                settings,
                monitor,
                self,
                state.reconnects,
                restarterRef ->
                    ConnectionActor.create(
                        new ConnectionContext(
                            settings,
                            self,
                            monitor,
                            restarterRef,
                            admin,
                            state.confirmedLsn::get,
                            state.receivedLsn,
                            acknowledgements,
                            ownWalsenders,
                            history,
                            state.server,
                            state.snapshot,
                            binaryFallback))),
            "restarter");
    ctx.watchWith(restarter, RestarterGone.INSTANCE);
    refs.complete(new Refs(self, monitor));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(
            Demand.INSTANCE,
            () -> {
              demand = true;
              maybeRead();
              return this;
            })
        .onMessage(Received.class, this::onReceived)
        .onMessage(Snapshotting.class, this::onSnapshotting)
        .onMessage(Streaming.class, this::onStreaming)
        .onMessage(
            ConnectionGone.class,
            m -> {
              if (m.connection().equals(connection)) {
                connection = null;
                readInFlight = false;
              }
              return this;
            })
        .onMessage(
            Ack.class,
            m -> {
              if (shuttingDown) {
                // The connection reads the confirmed position for its final status update while
                // the source shuts down: an acknowledgement taken now might or might not be in it.
                // Not taking it keeps the answer exact: it is not, and the unit comes again.
                acknowledgements.tooLate(m.taken(), m.endLsn());
                return this;
              }
              if (snapshotAwaitingAck != null && m.endLsn().compareTo(snapshotAwaitingAck) > 0) {
                // A unit after the snapshot: acknowledgements are cumulative and delivery is in
                // order, so the consumer has every snapshot row. Only the consumer's Acks count
                // (the engine confirms its heartbeats and idle keepalives past the ledger).
                snapshotAwaitingAck = null;
                admin.tell(AdminActor.SnapshotCompleted.INSTANCE);
              }
              if (ledger.acknowledge(m.endLsn())) {
                state.confirmedLsn.set(ledger.confirmed().value());
                backfillConfirmed();
              }
              state.acknowledgedTransactions.set(ledger.acknowledgedTransactions());
              publishUnacknowledged();
              acknowledgements.taken(m.taken());
              return this;
            })
        .onMessage(
            StopEmitting.class,
            m -> {
              stopRequested = true;
              stopEmitting();
              m.done().complete(null);
              return this;
            })
        .onMessage(Shutdown.class, m -> shutdown(m.done()))
        .onMessage(
            Backfill.class,
            m -> {
              backfill.tell(new BackfillActor.Request(m.table(), m.done()));
              return this;
            })
        .onMessage(
            BackfillChunkStarted.class,
            m -> {
              BackfillChunk next =
                  new BackfillChunk(
                      m.chunk(), m.schema(), m.table(), m.keyColumns(), m.xmin(), m.lowXid());
              next.carryOver(backfillChunk);
              backfillChunk = next;
              return this;
            })
        .onMessage(
            BackfillChunkRead.class,
            m -> {
              if (backfillChunk != null && backfillChunk.id == m.chunk()) {
                backfillChunk.read(m.relation(), m.rows(), m.highXid(), m.last());
              }
              return this;
            })
        .onMessage(
            BackfillChunkAbandoned.class,
            m -> {
              if (backfillChunk != null && backfillChunk.id == m.chunk()) {
                backfillChunk = null;
              }
              return this;
            })
        .onMessageEquals(
            StageStopped.INSTANCE,
            () -> {
              // After Control.stop() the stage completes on purpose, while the consumer may still
              // be
              // acknowledging what it got: the connection stays until shutdown() (drainAndShutdown
              // calls it once the consumer is done). Any other end of the stage (downstream
              // finished,
              // cancelled or failed) means nobody will acknowledge anything more: shut down now.
              boolean stoppedOnPurpose = stopRequested;
              emitting = false;
              return shuttingDown || stoppedOnPurpose ? this : shutdown(null);
            })
        .onMessage(Failed.class, this::onFailed)
        .onMessage(
            FailurePublished.class,
            m -> {
              stage.fail(m.error());
              return this;
            })
        .onMessageEquals(
            RestarterGone.INSTANCE,
            () -> {
              restarter = null;
              // A Restarter that stopped on its own (after a fatal error) never answers a Shutdown.
              if (restarterDone != null) {
                restarterDone.complete(null);
              }
              return this;
            })
        .onMessageEquals(ShutdownComplete.INSTANCE, this::onShutdownComplete)
        .onSignal(
            PostStop.class,
            s -> {
              // However the actors end (shutdown, or the actor system terminating), the control
              // learns it,
              // and so does whoever waits on an acknowledgement still in the mailbox (now dead
              // letters).
              acknowledgements.sourceStopped();
              onStopped.run();
              return this;
            })
        .build();
  }

  /**
   * The status goes FAILED first and the stream fails after: whoever sees the stream fail and then
   * asks the status must read FAILED and its reason, not a status from before. The monitor is this
   * actor's child and answers every Fail, so the wait cannot hang while this actor lives.
   */
  private Behavior<Command> onFailed(Failed m) {
    emitting = false;
    ActorRef<Command> self = getContext().getSelf();
    CompletableFuture<Void> published = new CompletableFuture<>();
    monitor.tell(new StatusMonitor.Fail(m.error(), published));
    published.thenRun(() -> self.tell(new FailurePublished(m.error())));
    return this;
  }

  /**
   * The snapshot's rows come before any change; they are not units of the ledger (nothing of them
   * can be confirmed), so only a resync touches it here. The slot stays at its consistent point:
   * the connection sends nothing to the server until it streams.
   */
  private Behavior<Command> onSnapshotting(Snapshotting m) {
    follow(m.connection());
    snapshotAwaitingAck = settings.slot().temporary() ? null : m.consistentPoint();
    heartbeats.reset();
    if (m.resync() != null) {
      announce(m.resync(), m.consistentPoint());
      backfillLost();
    }
    maybeRead();
    return this;
  }

  private void follow(ActorRef<ConnectionActor.Command> next) {
    if (!next.equals(connection)) {
      connection = next;
      getContext().watchWith(connection, new ConnectionGone(connection));
    }
    readInFlight = false;
  }

  private void announce(ResyncRequired resync, Lsn newStart) {
    ledger.resync(newStart);
    // Not an answer to the stage's demand: a read may be open, and its envelopes follow this.
    stage.deliver(
        List.of(
            ChangeEnvelope.resyncRequired(
                resync, Instant.now(), CommittableOffsetImpl.notAUnitEnd(newStart))),
        false);
    state.deliveredEnvelopes.incrementAndGet();
  }

  private Behavior<Command> onStreaming(Streaming m) {
    follow(m.connection());
    // What the previous connection was in the middle of will be sent again.
    heartbeats.reset();
    // The connection decided (StreamHistory) whether this start continues what was delivered.
    ResyncRequired resync = m.resync();
    if (resync != null) {
      // Before any change from the new slot: the consumer must learn of the gap first.
      announce(resync, m.slotConfirmed());
      backfillLost();
    }
    ledger.connectionStarted(m.slotConfirmed());
    state.confirmedLsn.set(ledger.confirmed().value());
    connection.tell(ConnectionActor.StreamingAccepted.INSTANCE);
    backfill.tell(BackfillActor.Streaming.INSTANCE);
    maybeRead();
    return this;
  }

  private Behavior<Command> onReceived(Received m) {
    if (!m.connection().equals(connection)) {
      // A connection that has since died: what it read will be replayed from the slot.
      return this;
    }
    if (m.answersRead()) {
      readInFlight = false;
    }
    List<ChangeEnvelope> deliver = new ArrayList<>(m.items().size());
    // One pair of callbacks per batch: made per envelope, they were two objects a change (issue
    // 16's catch-up profile: 6% of the embedded source's allocation).
    Consumer<ChangeEnvelope> pass = e -> pass(e, deliver);
    HeartbeatFilter.Own own =
        (xid, message, commit) -> ownTransaction(xid, message, commit, deliver);
    for (StreamItem item : m.items()) {
      if (item instanceof StreamItem.Change change) {
        receive(change.envelope(), deliver, pass, own);
      } else if (item instanceof StreamItem.WalEnd w
          && settings.stream().idleAdvance()
          && !heartbeats.holding()) {
        ledger.serverWalEnd(w.lsn());
      }
    }
    state.confirmedLsn.set(ledger.confirmed().value());
    backfillConfirmed();
    publishUnacknowledged();
    if (!deliver.isEmpty() && emitting) {
      state.deliveredEnvelopes.addAndGet(deliver.size());
      // Part of an open read (answersRead false) answers nothing yet: the stage's demand stands
      // until the read's last part, so the stage does not ask again for every part.
      if (m.answersRead()) {
        demand = false;
      }
      stage.deliver(deliver, m.answersRead());
    } else {
      maybeRead();
    }
    return this;
  }

  /**
   * Passes one envelope through the ledger into {@code deliver} (by {@code pass} and {@code own},
   * made once per batch), leaving out the engine's own heartbeat transactions (unless they are to
   * be delivered), which are acknowledged here on the consumer's behalf. {@link HeartbeatFilter}
   * decides what is a heartbeat; it may hold a Begin back until it can tell.
   */
  private void receive(
      ChangeEnvelope env,
      List<ChangeEnvelope> deliver,
      Consumer<ChangeEnvelope> pass,
      HeartbeatFilter.Own own) {
    if (env.kind() == ChangeEnvelope.Kind.SNAPSHOT) {
      // Before any change, outside any transaction, never a position: nothing for the ledger.
      deliver.add(env);
      return;
    }
    heartbeats.offerOwn(env, pass, own);
  }

  private void pass(ChangeEnvelope env, List<ChangeEnvelope> deliver) {
    if (verdict(env) == DeliveryLedger.Verdict.DELIVER) {
      deliver.add(env);
      if (backfillChunk != null) {
        backfillChunk.observe(env.xid(), env.message());
      }
    }
  }

  /**
   * A transaction the engine wrote itself: a heartbeat, or a backfill watermark. A watermark of the
   * chunk in progress, known by its transaction's xid (told before it committed), opens the chunk's
   * window (low) or is replaced by the chunk's rows (high); any other (an earlier process's,
   * another source's, a replay) is acknowledged like a heartbeat. {@code message} is null for a
   * watermark on PostgreSQL 13 (no logical messages in pgoutput there).
   */
  private void ownTransaction(
      long xid, LogicalMessage message, Commit commit, List<ChangeEnvelope> deliver) {
    BackfillChunk chunk = backfillChunk;
    long xid32 = xid & 0xFFFF_FFFFL;
    if (chunk == null || !chunk.isWatermark(xid32) || chunk.isDelivered()) {
      ledger.ownTransaction(commit.commitLsn(), commit.endLsn());
      return;
    }
    if (chunk.isLow(xid32)) {
      ledger.ownTransaction(commit.commitLsn(), commit.endLsn());
      chunk.lowWatermark();
      return;
    }
    if (!chunk.lowSeen() || !chunk.isRead()) {
      // Cannot happen in order (both are told before the high watermark is committed); if it
      // did, the chunk's rows could not be decided: read the chunk again.
      log.warn(
          "slot {}: backfill chunk {} reached its high watermark unread; reading it again",
          settings.slot().name(),
          chunk.id);
      ledger.ownTransaction(commit.commitLsn(), commit.endLsn());
      backfillChunk = null;
      backfill.tell(new BackfillActor.ChunkLost(chunk.id));
      return;
    }
    List<TupleData> rows = chunk.deliverable();
    Lsn end = commit.endLsn();
    if (rows.isEmpty()) {
      ledger.ownTransaction(commit.commitLsn(), end);
    } else {
      ledger.backfillChunk(commit.commitLsn(), end);
      Instant now = Instant.now();
      Relation relation = chunk.relation();
      for (int i = 0; i < rows.size(); i++) {
        // Only the chunk's last row acknowledges the chunk: committing an earlier one must not
        // mark the rest as done.
        boolean last = i == rows.size() - 1;
        deliver.add(
            ChangeEnvelope.snapshotRow(
                relation,
                rows.get(i),
                commit.commitLsn(),
                now,
                last
                    ? new CommittableOffsetImpl(end, true, acknowledgements)
                    : CommittableOffsetImpl.notAUnitEnd(end)));
      }
    }
    chunk.delivered();
    // It goes on noting changes for the next chunk's carry-over; after the last, nothing needs it.
    if (chunk.last()) {
      backfillChunk = null;
    }
    backfillUnconfirmed.add(new long[] {end.value(), chunk.id});
    backfill.tell(new BackfillActor.ChunkDelivered(chunk.id, rows.size(), chunk.fromStream()));
  }

  /** Tells the backfill each chunk whose high watermark the ledger now confirms. */
  private void backfillConfirmed() {
    long confirmed = ledger.confirmed().value();
    while (!backfillUnconfirmed.isEmpty()
        && Long.compareUnsigned(backfillUnconfirmed.peekFirst()[0], confirmed) <= 0) {
      backfill.tell(new BackfillActor.ChunkConfirmed(backfillUnconfirmed.pollFirst()[1]));
    }
  }

  /**
   * The stream starts anew on another slot (a resync, after a gap): the chunk between its
   * watermarks will not see them, and chunks delivered but unconfirmed can no longer be confirmed;
   * changes of the table in the gap are lost, so the backfill starts again from the table's first
   * key ({@link BackfillActor.Resync}).
   */
  private void backfillLost() {
    backfillUnconfirmed.clear();
    backfillChunk = null;
    backfill.tell(BackfillActor.Resync.INSTANCE);
  }

  private DeliveryLedger.Verdict verdict(ChangeEnvelope env) {
    if (env.inProgress()) {
      return ledger.streamChunk(env.xid());
    }
    if (env.kind() == ChangeEnvelope.Kind.STREAM_COMMIT) {
      StreamCommit c = (StreamCommit) env.message();
      return ledger.streamCommit(c.xid(), c.commitLsn(), c.endLsn());
    }
    if (env.kind() == ChangeEnvelope.Kind.STREAM_PREPARE) {
      StreamPrepare p = (StreamPrepare) env.message();
      return ledger.streamPrepare(p.xid(), p.prepareLsn(), p.endLsn());
    }
    switch (env.kind()) {
      case BEGIN:
        return ledger.begin(env.commitLsn());
      case COMMIT:
        return ledger.commit(((Commit) env.message()).endLsn());
      case BEGIN_PREPARE:
        return ledger.beginPrepare(env.xid(), env.commitLsn());
      case PREPARE:
        return ledger.prepare(((Prepare) env.message()).endLsn());
      case COMMIT_PREPARED:
        CommitPrepared cp = (CommitPrepared) env.message();
        return ledger.commitPrepared(cp.xid(), cp.commitLsn(), cp.endLsn());
      case ROLLBACK_PREPARED:
        return ledger.rollbackPrepared(((RollbackPrepared) env.message()).rollbackEndLsn());
      case MESSAGE:
        if (!((LogicalMessage) env.message()).transactional()) {
          return ledger.standaloneMessage(env.lsn());
        }
        return ledger.change();
      default:
        return ledger.change();
    }
  }

  /** Publishes the unacknowledged count, warning when it stays above the configured level. */
  private void publishUnacknowledged() {
    int count = ledger.unacknowledgedCount();
    state.unacknowledgedUnits.set(count);
    long now = System.nanoTime();
    if (count > settings.stream().unacknowledgedWarning()) {
      if (!unacknowledgedHigh
          || now - lastUnacknowledgedWarning > UNACKNOWLEDGED_WARNING_REPEAT.toNanos()) {
        log.warn(
            "slot {}: {} delivered transactions wait for an acknowledgement (warning above {}); the slot stays at"
                + " {} until the consumer acknowledges one. Acknowledgement is cumulative: committing the offset of the"
                + " latest Commit is enough",
            settings.slot().name(),
            count,
            settings.stream().unacknowledgedWarning(),
            ledger.confirmed());
        lastUnacknowledgedWarning = now;
      }
      unacknowledgedHigh = true;
    } else if (unacknowledgedHigh && count <= settings.stream().unacknowledgedWarning() / 2) {
      unacknowledgedHigh = false;
      log.info("slot {}: acknowledgements caught up ({} waiting)", settings.slot().name(), count);
    }
  }

  private void maybeRead() {
    if (demand && emitting && connection != null && !readInFlight) {
      readInFlight = true;
      connection.tell(new ConnectionActor.Read(settings.stream().batchSize()));
    }
  }

  private void stopEmitting() {
    if (emitting) {
      emitting = false;
      stage.complete();
    }
  }

  private Behavior<Command> shutdown(CompletableFuture<Void> done) {
    if (done != null) {
      shutdownWaiters.add(done);
    }
    if (shuttingDown) {
      return this;
    }
    shuttingDown = true;
    stopEmitting();
    ActorRef<Command> self = getContext().getSelf();
    restarterDone = new CompletableFuture<>();
    if (restarter != null) {
      restarter.tell(new Restarter.Shutdown(restarterDone));
    } else {
      restarterDone.complete(null);
    }
    restarterDone
        .thenCompose(
            v -> {
              // A slot whose initial snapshot was not read whole is dropped too: kept, the next
              // run would stream from it and its consumer would never learn the copy is partial.
              if (!settings.slot().dropOnStop() && history.unfinishedSnapshot() == null) {
                return CompletableFuture.completedFuture(null);
              }
              CompletableFuture<Void> dropped = new CompletableFuture<>();
              admin.tell(new AdminActor.DropSlot(dropped));
              return dropped;
            })
        .thenCompose(
            v -> {
              CompletableFuture<Void> published = new CompletableFuture<>();
              monitor.tell(new StatusMonitor.Stopped("shut down", published));
              return published;
            })
        .whenComplete((v, e) -> self.tell(ShutdownComplete.INSTANCE));
    return this;
  }

  private Behavior<Command> onShutdownComplete() {
    log.info(
        "source {} shut down; slot confirmed at {}", settings.slot().name(), ledger.confirmed());
    shutdownWaiters.forEach(f -> f.complete(null));
    return Behaviors.stopped();
  }
}
