package io.slotkeeper.internal.connection;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ConnectedServer;
import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.internal.admin.AdminActor;
import io.slotkeeper.internal.snapshot.SnapshotReader;
import io.slotkeeper.internal.source.CommittableOffsetImpl;
import io.slotkeeper.internal.source.SourceActor;
import io.slotkeeper.internal.source.StreamItem;
import io.slotkeeper.internal.status.StatusMonitor;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.internal.supervision.Restarter;
import io.slotkeeper.internal.wire.PrimaryKeepalive;
import io.slotkeeper.internal.wire.ReplicationFrame;
import io.slotkeeper.internal.wire.ReplicationFrames;
import io.slotkeeper.internal.wire.XLogDataFrame;
import io.slotkeeper.pgoutput.PgOutputDecoder;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only owner of a replication connection and its stream: every call on them happens in this
 * actor's mailbox, so no second thread ever parses or writes the stream (the one exception is
 * bounded: a quiet stream's input is lent to its {@link ReadinessWaiter}, which peeks one byte into
 * pgjdbc's buffer and hands it back with a wake-up). One instance per connection attempt; on any
 * error it throws, stops (closing the connection) and leaves the decision to the {@link Restarter}.
 *
 * <p>Reads happen only against demand ({@link Read}); with no demand nothing is read, the kernel
 * buffers fill and TCP flow control holds the walsender back. The keepalive timer is an ordinary
 * message, so status updates keep flowing however long the consumer stalls.
 */
@InternalApi
public final class ConnectionActor extends AbstractBehavior<ConnectionActor.Command> {

  public interface Command {}

  /**
   * The stream wants up to {@code max} envelopes. The read stays open until that many went out:
   * what arrives is handed over at once, in parts ({@link SourceActor.Received} with {@code
   * answersRead} false), and the part that uses up the {@code max} answers the read. One read per
   * batch instead of one per part: a transaction that arrives in many TCP segments (the walsender
   * sends each change as soon as it is decoded) no longer costs a round trip through the stage per
   * segment.
   */
  public record Read(int max) implements Command {}

  /** Send a final status update, close the connection and stop. */
  public record Shutdown(CompletableFuture<Void> done) implements Command {}

  /**
   * The SourceActor has taken this connection's start (and reset its ledger if the start needed a
   * resync): from now on its confirmed position belongs to this connection's history.
   */
  public enum StreamingAccepted implements Command {
    INSTANCE
  }

  private enum Start implements Command {
    INSTANCE
  }

  /** The slot-creation call ended; {@code failure} is null when it succeeded. */
  private record SlotCreationDone(
      ServerFacts facts,
      ServerIdentity server,
      ReplicationSession.CreatedSlot created,
      Throwable failure)
      implements Command {}

  /** The snapshot reader's answer to one Read; {@code failure} is null when it succeeded. */
  private record SnapshotBatch(SnapshotReader.Batch batch, Throwable failure) implements Command {}

  private enum Poll implements Command {
    INSTANCE
  }

  /** The {@link ReadinessWaiter} saw bytes arrive (or the connection end); the stream is ours. */
  private record Woken(ReadinessWaiter.Wake wake, java.io.IOException failure) implements Command {}

  private enum Keepalive implements Command {
    INSTANCE
  }

  /** Report a newly acknowledged position if there is one (every {@code ack.flush-interval}). */
  private enum FlushAcks implements Command {
    INSTANCE
  }

  private static final Logger log = LoggerFactory.getLogger(ConnectionActor.class);

  private final ConnectionContext context;
  private final SourceSettings settings;
  private final ActorRef<StatusMonitor.Command> monitor;
  private final TimerScheduler<Command> timers;

  private ReplicationSession session;
  private ConnectionSetup setup;
  private PgOutputDecoder decoder;
  // This connection's ValueFormat (null with binary = off), and whether auto chose binary.
  private io.slotkeeper.pgoutput.ValueFormat valueFormat;
  private boolean binaryAuto;
  private EnvelopeAssembler assembler;
  private XLogDataReader xlogData;
  private Lsn slotConfirmedAtStart = Lsn.INVALID;
  private boolean accepted;
  private boolean slotCreated;

  /** True while a slot creation runs on another thread; see {@link #createSlot}. */
  private boolean creating;

  /**
   * The initial snapshot's reader while it runs (null otherwise), with what streaming needs once it
   * is done. The exported snapshot lives only while the replication connection runs no other
   * command, so nothing here touches the session until the reader is finished: no timers, no status
   * updates (the walsender is not streaming yet, so wal_sender_timeout does not apply; it waits for
   * its next command like any idle backend).
   */
  private SnapshotReader reader;

  private boolean snapshotFetching;
  private ServerFacts snapshotFacts;
  private ServerIdentity snapshotServer;
  private SlotInfo snapshotSlot;

  /** Our walsender on the server, to end it should we abandon a creation it is inside. */
  private OwnWalsenders.Identity walsender;

  /** True while reading waits for room in the streamed-transaction spool. */
  private boolean spoolWaiting;

  private Lsn lastReceived = Lsn.INVALID;
  private Lsn lastReportedFlush = Lsn.INVALID;
  private Duration livenessTimeout;

  /** Envelopes the open Read may still take (its {@code max} minus what went out since). */
  private int credit;

  private boolean readOutstanding;
  private long readSinceNanos;
  private long lastServerMessageNanos;
  private Duration pollDelay;
  private ScheduledFuture<?> pendingPoll;
  private boolean pollPending;

  /**
   * Wakes this actor when the server sends something, instead of re-polling a quiet stream (null
   * before streaming, and when pgjdbc's stream cannot be reached: then the re-poll stays). While
   * {@code waiting} the waiter holds the stream's input: nothing here reads until {@link Woken}.
   */
  private ReadinessWaiter waiter;

  private boolean waiting;
  private final java.util.concurrent.atomic.LongAdder emptyReads;

  public static Behavior<Command> create(ConnectionContext context) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  ctx.getSelf().tell(Start.INSTANCE);
                  return new ConnectionActor(ctx, timers, context);
                }));
  }

  private ConnectionActor(
      ActorContext<Command> ctx, TimerScheduler<Command> timers, ConnectionContext context) {
    super(ctx);
    this.context = context;
    this.settings = context.settings();
    this.monitor = context.monitor();
    this.timers = timers;
    this.pollDelay = settings.stream().pollMinInterval();
    this.emptyReads = EmptyReads.counter(settings.slot().name());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Start.INSTANCE, this::onStart)
        .onMessage(SlotCreationDone.class, this::onSlotCreationDone)
        .onMessage(SnapshotBatch.class, this::onSnapshotBatch)
        .onMessageEquals(
            StreamingAccepted.INSTANCE,
            () -> {
              accepted = true;
              monitor.tell(
                  new StatusMonitor.SetCondition(
                      StatusMonitor.Condition.STREAMING, true, getContext().getSelf()));
              return this;
            })
        .onMessage(Read.class, this::onRead)
        .onMessageEquals(Poll.INSTANCE, this::onPoll)
        .onMessage(Woken.class, this::onWoken)
        .onMessageEquals(Keepalive.INSTANCE, this::onKeepalive)
        .onMessageEquals(FlushAcks.INSTANCE, this::onFlushAcks)
        .onMessage(Shutdown.class, this::onShutdown)
        .onSignal(
            PostStop.class,
            s -> {
              if (pendingPoll != null) {
                pendingPoll.cancel(false);
              }
              // Stopped without a Shutdown (the actor system is terminating): still tell the server
              // what has been acknowledged, if the stream is alive, so less is delivered again.
              if (session != null && session.streaming()) {
                try {
                  sendStatus(false);
                } catch (Exception ignored) {
                  // best effort: the connection is going away
                }
              }
              closeSession();
              return this;
            })
        .build();
  }

  /**
   * Connects and carries out the {@link ConnectionSetup}: checks, then the {@link SlotPlan}
   * (stream, create, replace or refuse). Throws on any problem, which the Restarter classifies.
   */
  private Behavior<Command> onStart() throws Exception {
    ActorRef<Command> self = getContext().getSelf();
    reason(
        "connecting to "
            + settings.connection().databaseName()
            + " as "
            + settings.connection().user());
    session = ReplicationSession.open(settings);
    setup = new ConnectionSetup(settings, session, context.ownWalsenders(), context.history());
    monitor.tell(
        new StatusMonitor.SetCondition(StatusMonitor.Condition.DATABASE_REACHABLE, true, self));

    ConnectionSetup.Prepared prepared = setup.prepare();
    walsender = prepared.walsender();
    // Which server this is, for progress(): with a multi-host URL or after a failover it may not
    // be the one the last connection reached.
    context
        .connectedServer()
        .set(
            new ConnectedServer(
                session.host(),
                session.port(),
                prepared.server().systemId(),
                prepared.server().timeline(),
                prepared.facts().inRecovery()));
    SlotPlan plan = prepared.plan();
    if (plan instanceof SlotPlan.Refuse refuse) {
      throw setup.refusal(refuse.refusal(), prepared.slot());
    }
    if (plan instanceof SlotPlan.RetakeSnapshot retake) {
      setup.dropForSnapshotRetake(retake.resync(), retake.dropFirst());
      return createSlot(prepared.facts(), prepared.server());
    }
    if (plan instanceof SlotPlan.Replace replace) {
      setup.dropForReplacement(replace.replacement());
      return createSlot(prepared.facts(), prepared.server());
    }
    if (plan instanceof SlotPlan.Create) {
      slotCreated = true;
      return createSlot(prepared.facts(), prepared.server());
    }
    return startReplication(
        prepared.facts(), prepared.server(), ((SlotPlan.Stream) plan).slot(), false);
  }

  /**
   * The setup steps after the slot exists: verify it and start streaming from its confirmed
   * position.
   */
  private Behavior<Command> startReplication(
      ServerFacts facts, ServerIdentity server, SlotInfo slot, boolean afterSnapshot)
      throws Exception {
    ActorRef<Command> self = getContext().getSelf();
    if (afterSnapshot) {
      // The slot was verified and the start announced before the snapshot; read its row again
      // (a replication connection lost meanwhile fails here, before anything is streamed).
      slot = setup.created(facts);
      setup.verify(slot, facts, server);
    } else {
      setup.verify(slot, facts, server);
      monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.SLOT_READY, true, self));
    }
    reason("slot " + settings.slot().name() + " verified; starting replication");

    // Resume from the server's slot, never from a local guess.
    slotConfirmedAtStart = slot.confirmedFlushLsn();
    lastReceived = slotConfirmedAtStart;
    ResyncRequired resync =
        afterSnapshot
            ? null
            : setup.continuity(
                server,
                slot,
                slotCreated,
                Lsn.of(context.confirmed().getAsLong()),
                Lsn.of(context.receivedLsn().get()));
    int protoVersion =
        ProtocolVersions.requested(
            settings.stream(), facts.majorVersion(), settings.slot().twoPhase());
    // streaming = auto is decided here, by the server this connection reached.
    StreamSettings.Streaming streaming =
        ProtocolVersions.streaming(settings.stream(), facts.majorVersion());
    boolean parallel = streaming == StreamSettings.Streaming.PARALLEL;
    decoder = new PgOutputDecoder(protoVersion, parallel);
    // Spooled chunks of streamed transactions are decoded again when their commit arrives.
    PgOutputDecoder spoolDecoder = new PgOutputDecoder(protoVersion, parallel);
    // binary = auto is decided here too, by the server and the published columns' types.
    BinaryDecision.Choice binary = decideBinary(facts);
    log.info("slot {}: {}", settings.slot().name(), binary);
    binaryAuto = binary.binary() && settings.stream().binaryMode() == StreamSettings.Binary.AUTO;
    if (binary.binary()) {
      // Binary values print with this connection's own TimeZone, DateStyle, ... (ValueFormat).
      // With the catalog's enum, domain and range types, read once per connect.
      decoder.valueFormat(valueFormat);
      spoolDecoder.valueFormat(valueFormat);
    }
    assembler =
        new EnvelopeAssembler(
            context.ackTarget(),
            streaming == StreamSettings.Streaming.OFF
                ? null
                : new StreamedTransactions(
                    new StreamedTransactionSpool(settings.stream().spool(), settings.slot().name()),
                    spoolDecoder,
                    context.ackTarget(),
                    settings.stream().deliverInProgress()));
    xlogData = new XLogDataReader(decoder, assembler, this::checkRelationCodecs);
    setup.startStreaming(slotConfirmedAtStart, slot, facts, binary.binary());

    Duration keepalive = KeepaliveSchedule.interval(settings, facts.walSenderTimeout());
    livenessTimeout =
        KeepaliveSchedule.livenessTimeout(settings, facts.walSenderTimeout(), keepalive);
    session.boundStreamingIo(livenessTimeout);
    waiter =
        session.wakeOnData(
            "slotkeeper-wake-" + settings.slot().name(),
            (wake, failure) -> self.tell(new Woken(wake, failure)));
    lastServerMessageNanos = System.nanoTime();
    timers.startTimerWithFixedDelay(Keepalive.INSTANCE, keepalive);
    lastReportedFlush = slotConfirmedAtStart;
    timers.startTimerWithFixedDelay(FlushAcks.INSTANCE, settings.stream().ackFlushInterval());
    log.info(
        "slot {}: streaming from {} (server {}, wal_sender_timeout {}, keepalive every {}, liveness {})",
        settings.slot().name(),
        slotConfirmedAtStart,
        facts.serverVersionNum(),
        facts.walSenderTimeout(),
        keepalive,
        livenessTimeout);
    // The source learns the start position first, so its progress is right once ACTIVE shows.
    if (afterSnapshot) {
      context.history().snapshotFinished();
    } else {
      context.history().started(server, slotConfirmedAtStart);
    }
    if (resync != null) {
      // What the previous history received says nothing about this one.
      context.receivedLsn().set(slotConfirmedAtStart.value());
    }
    context.source().tell(new SourceActor.Streaming(self, slotConfirmedAtStart, resync));
    reason("streaming from slot " + settings.slot().name());
    // STREAMING (the level ACTIVE) only once the SourceActor has taken the start (its
    // StreamingAccepted): it publishes the confirmed position then, so a status read at ACTIVE
    // always has one. Told here, the monitor could go ACTIVE first (ClusterFailoverIT saw it).
    context.restarter().tell(new Restarter.StreamingStarted(self));
    return this;
  }

  /**
   * Binary or text for this connection ({@link BinaryDecision}); reads the ValueFormat (and for
   * auto on 14+ the published columns) on the replication connection, before START_REPLICATION.
   * After a connection ended for a type without a codec mid-stream, the next one streams in text:
   * its replay carries that Relation again, which the catalog as it is now may not show (the column
   * dropped again meanwhile), and deciding binary again would end it again.
   */
  private BinaryDecision.Choice decideBinary(ServerFacts facts) throws SQLException {
    StreamSettings.Binary mode = settings.stream().binaryMode();
    valueFormat = mode == StreamSettings.Binary.OFF ? null : session.valueFormat();
    if (mode != StreamSettings.Binary.AUTO || facts.majorVersion() < 14) {
      return BinaryDecision.decide(mode, facts.majorVersion(), List.of(), valueFormat);
    }
    String fallback = context.binaryFallback().getAndSet(null);
    if (fallback != null) {
      return new BinaryDecision.Choice(false, "the previous connection received " + fallback);
    }
    return BinaryDecision.decide(
        mode, facts.majorVersion(), session.publishedColumns(facts.majorVersion()), valueFormat);
  }

  /**
   * With binary chosen by auto, a Relation of a table or column whose type has no codec (added
   * after the connect) ends the connection before its change is delivered, so the next connect
   * streams in text and every value stays exact.
   */
  private void checkRelationCodecs(PgOutputMessage message) {
    if (!binaryAuto || !(message instanceof Relation r)) {
      return;
    }
    String table = (r.namespace().isEmpty() ? "pg_catalog" : r.namespace()) + "." + r.name();
    List<BinaryDecision.Column> columns = new ArrayList<>();
    for (RelationColumn c : r.columns()) {
      columns.add(new BinaryDecision.Column(table, c.name(), c.typeOid(), "oid " + c.typeOid()));
    }
    BinaryDecision.Column without = BinaryDecision.firstWithoutCodec(columns, valueFormat);
    if (without != null) {
      String what =
          without.table()
              + "."
              + without.name()
              + " of type oid "
              + without.typeOid()
              + " without a binary codec";
      context.binaryFallback().set(what);
      throw new ClassifiedException(
          ErrorClass.TRANSIENT,
          "binary = auto: " + what + " arrived mid-connection; reconnecting to stream in text",
          null,
          null);
    }
  }

  /**
   * Starts creating the slot; {@link SlotCreationDone} continues the setup. Creation waits for
   * every transaction that was running when it began (healed by the AdminActor), possibly for
   * minutes, so the call runs on a thread of its own ({@link SlotCreationExecutor}) and this
   * actor's mailbox thread goes back to the connection dispatcher, where other sources need it for
   * their keepalives. While the call runs nothing else here touches the session (no timers or reads
   * are started before streaming), so the connection still has one user at a time; a Shutdown
   * meanwhile aborts the socket, which is what JDBC's abort is for.
   */
  private Behavior<Command> createSlot(ServerFacts facts, ServerIdentity server)
      throws SQLException {
    ActorRef<Command> self = getContext().getSelf();
    reason("creating replication slot " + settings.slot().name());
    context
        .admin()
        .tell(
            new AdminActor.CreationStarted(
                self, facts.backendPid(), facts.serverVersionNum(), facts.inRecovery()));
    ReplicationSession creatingSession = session;
    boolean exportSnapshot = settings.slot().snapshot() == SlotSettings.Snapshot.INITIAL;
    if (exportSnapshot) {
      // Before the creation: should this connection end anywhere from here until the snapshot is
      // read whole, the next one takes a new snapshot on a new slot.
      context.history().snapshotCreating();
      setup.markSnapshotStarted();
    }
    creating = true;
    getContext()
        .pipeToSelf(
            SlotCreationExecutor.run(
                () ->
                    creatingSession.createSlot(
                        settings.slot().name(),
                        settings.slot().temporary(),
                        settings.slot().failover(),
                        exportSnapshot,
                        facts)),
            (created, failure) -> new SlotCreationDone(facts, server, created, failure));
    return this;
  }

  private Behavior<Command> onSlotCreationDone(SlotCreationDone m) throws Exception {
    creating = false;
    context.admin().tell(new AdminActor.CreationFinished(getContext().getSelf()));
    if (m.failure() != null) {
      Throwable cause =
          m.failure() instanceof CompletionException && m.failure().getCause() != null
              ? m.failure().getCause()
              : m.failure();
      if (cause instanceof Exception e) {
        throw e;
      }
      throw (Error) cause;
    }
    if (m.created().snapshotName() != null) {
      // No query for the slot's row now: any command on this connection ends the exported
      // snapshot. What creation answered says all a start needs; the row is read once the
      // snapshot has been read.
      return beginSnapshot(m.facts(), m.server(), m.created());
    }
    return startReplication(m.facts(), m.server(), setup.created(m.facts()), false);
  }

  /**
   * Verifies the new slot, announces the start (with a RESYNC_REQUIRED first when it does not
   * continue what was delivered) and hands the snapshot to a {@link SnapshotReader}, which reads
   * the published tables on an ordinary connection as the stream asks for rows ({@link #onRead}).
   * Streaming starts once it is finished, at the slot's consistent point.
   */
  private Behavior<Command> beginSnapshot(
      ServerFacts facts, ServerIdentity server, ReplicationSession.CreatedSlot c) {
    ActorRef<Command> self = getContext().getSelf();
    SlotInfo slot =
        new SlotInfo(
            settings.slot().name(),
            "pgoutput",
            "logical",
            facts.database(),
            settings.slot().temporary() ? facts.backendPid() : null,
            c.consistentPoint(),
            Lsn.INVALID,
            "reserved",
            null);
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.SLOT_READY, true, self));
    ResyncRequired resync =
        setup.continuity(
            server,
            slot,
            slotCreated,
            Lsn.of(context.confirmed().getAsLong()),
            Lsn.of(context.receivedLsn().get()));
    slotConfirmedAtStart = slot.confirmedFlushLsn();
    lastReceived = slotConfirmedAtStart;
    context.history().started(server, slotConfirmedAtStart);
    context.history().snapshotDelivering();
    if (resync != null) {
      context.receivedLsn().set(slotConfirmedAtStart.value());
    }
    log.info(
        "slot {}: created at consistent point {} exporting snapshot {}; reading the published tables",
        settings.slot().name(),
        c.consistentPoint(),
        c.snapshotName());
    snapshotFacts = facts;
    snapshotServer = server;
    snapshotSlot = slot;
    reader =
        new SnapshotReader(
            settings, c.snapshotName(), facts.majorVersion(), context.snapshotProgress());
    reason("snapshot: starting at " + slotConfirmedAtStart);
    context.source().tell(new SourceActor.Snapshotting(self, slotConfirmedAtStart, resync));
    return this;
  }

  /**
   * Asks the reader for up to {@code max} rows on the blocking dispatcher; the actor's thread never
   * waits on the database.
   */
  private void fetchSnapshot(int max) {
    snapshotFetching = true;
    SnapshotReader r = reader;
    Executor blocking =
        getContext()
            .getSystem()
            .dispatchers()
            .lookup(DispatcherSelector.fromConfig(settings.blockingDispatcher()));
    CompletableFuture<SnapshotReader.Batch> batch =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return r.next(max);
              } catch (SQLException e) {
                throw new CompletionException(e);
              }
            },
            blocking);
    getContext().pipeToSelf(batch, SnapshotBatch::new);
  }

  private Behavior<Command> onSnapshotBatch(SnapshotBatch m) throws Exception {
    snapshotFetching = false;
    if (reader == null) {
      return this; // shutting down
    }
    if (m.failure() != null) {
      Throwable cause =
          m.failure() instanceof CompletionException && m.failure().getCause() != null
              ? m.failure().getCause()
              : m.failure();
      if (cause instanceof Exception e) {
        throw e;
      }
      throw (Error) cause;
    }
    ActorRef<Command> self = getContext().getSelf();
    SnapshotProgress progress = context.snapshotProgress().get();
    reason(progress.describe());
    List<SnapshotReader.Row> rows = m.batch().rows();
    if (!rows.isEmpty()) {
      Instant now = Instant.now();
      // Not a unit end: acknowledging a snapshot row acknowledges nothing. Immutable, so the rows
      // of a batch share one.
      CommittableOffsetImpl offset =
          new CommittableOffsetImpl(slotConfirmedAtStart, false, context.ackTarget());
      List<StreamItem> items = new ArrayList<>(rows.size());
      for (SnapshotReader.Row row : rows) {
        items.add(
            new StreamItem.Change(
                ChangeEnvelope.snapshotRow(
                    row.relation(), row.row(), slotConfirmedAtStart, now, offset)));
      }
      readOutstanding = false;
      credit = 0;
      context.source().tell(new SourceActor.Received(self, items));
    }
    if (m.batch().finished()) {
      log.info(
          "slot {}: snapshot read: {} rows of {} table(s) in {} s; streaming from {}",
          settings.slot().name(),
          progress.rows(),
          progress.tablesTotal(),
          progress.elapsed().toSeconds(),
          slotConfirmedAtStart);
      reader.close();
      reader = null;
      return startReplication(snapshotFacts, snapshotServer, snapshotSlot, true);
    }
    return this;
  }

  private Behavior<Command> onRead(Read m) throws Exception {
    credit = m.max(); // a new read replaces what was left of the last (only after it was answered)
    if (reader != null) {
      if (!snapshotFetching) {
        // Rows the snapshot's readers have read ahead go out at once; only a wait for them goes
        // through the blocking dispatcher (two thread hops per batch fewer while reading keeps up).
        int max = Math.max(m.max(), settings.slot().snapshotChunkSize());
        SnapshotReader.Batch ready = reader.poll(max);
        if (ready != null) {
          return onSnapshotBatch(new SnapshotBatch(ready, null));
        }
        fetchSnapshot(max);
      }
      return this;
    }
    if (!readOutstanding) {
      readOutstanding = true;
      readSinceNanos = System.nanoTime();
    }
    pollDelay = settings.stream().pollMinInterval();
    return drain();
  }

  private Behavior<Command> onPoll() throws Exception {
    pollPending = false;
    return readOutstanding ? drain() : this;
  }

  /**
   * The waiter saw something: the stream is ours again. Bytes are read as usual (a message from the
   * server, or an error it sent); a connection that ended shows here at once, where pgjdbc's
   * non-blocking read would report an end of stream as "nothing pending".
   */
  private Behavior<Command> onWoken(Woken m) throws Exception {
    waiting = false;
    switch (m.wake()) {
      case CLOSED_BY_SERVER ->
          throw new PSQLException(
              "the server closed the replication connection", PSQLState.CONNECTION_FAILURE);
      case FAILED ->
          throw new PSQLException(
              "the replication connection failed: " + m.failure().getMessage(),
              PSQLState.CONNECTION_FAILURE,
              m.failure());
      default -> {
        return readOutstanding ? drain() : this;
      }
    }
  }

  /** Reads what is already waiting, up to the demand; never waits for the server. */
  private Behavior<Command> drain() throws Exception {
    if (creating) {
      return this; // the creation thread owns the session; nothing is read before streaming anyway
    }
    if (waiting) {
      return this; // the waiter holds the stream's input; its Woken brings us back here
    }
    List<StreamItem> items = new ArrayList<>();
    int envelopes = 0;
    while (envelopes < credit) {
      // A committed streamed transaction goes out whole before anything further is read.
      ChangeEnvelope pending = assembler.nextPending();
      if (pending != null) {
        items.add(new StreamItem.Change(pending));
        envelopes++;
        continue;
      }
      if (spoolFull()) {
        break;
      }
      byte[] data;
      try {
        data = session.readPending();
      } catch (ClassifiedException e) {
        // A frame that cannot be read (see CopyStream) is broken bytes at this position too.
        throw InvalidStream.at(null, lastReceived, e);
      }
      if (data == null) {
        emptyReads.increment();
        break;
      }
      lastServerMessageNanos = System.nanoTime();
      boolean xlog;
      try {
        xlog = XLogDataFrame.is(data);
      } catch (RuntimeException e) {
        throw InvalidStream.at(null, lastReceived, e);
      }
      if (xlog) {
        // The hot path: one per change, read in place (XLogDataReader).
        ChangeEnvelope env = xlogData.read(data, lastReceived);
        lastReceived = Lsn.max(lastReceived, xlogData.walStart());
        if (env != null) {
          items.add(new StreamItem.Change(env));
          envelopes++;
        }
        continue;
      }
      ReplicationFrame frame;
      try {
        frame = ReplicationFrames.decode(data);
      } catch (RuntimeException e) {
        throw InvalidStream.at(null, lastReceived, e);
      }
      if (frame instanceof PrimaryKeepalive k) {
        lastReceived = Lsn.max(lastReceived, k.walEnd());
        items.add(new StreamItem.WalEnd(assembler.confirmableWalEnd(k.walEnd())));
        if (k.replyRequested()) {
          answerPing(k.walEnd());
        }
      }
    }
    context.receivedLsn().set(lastReceived.value());
    credit -= envelopes;
    if (credit == 0) {
      readOutstanding = false;
      pollDelay = settings.stream().pollMinInterval();
      context.source().tell(new SourceActor.Received(getContext().getSelf(), items));
      return this;
    }
    if (!items.isEmpty()) {
      // What arrived so far (or keepalives only: their WAL ends); the read stays open.
      context.source().tell(new SourceActor.Received(getContext().getSelf(), items, false));
    }
    if (waiter != null && !spoolWaiting) {
      // Nothing more waits: lend the stream to the waiter, which wakes us when the server sends.
      waiting = true;
      waiter.arm();
    } else if (envelopes > 0) {
      pollDelay = settings.stream().pollMinInterval();
      schedulePoll();
    } else {
      // A full spool is a wait for our own consumer, not for the server; or no waiter.
      schedulePoll();
      pollDelay = pollDelay.multipliedBy(2);
      if (pollDelay.compareTo(settings.stream().pollMaxInterval()) > 0) {
        pollDelay = settings.stream().pollMaxInterval();
      }
    }
    return this;
  }

  /**
   * One pending re-poll at a time; a Read that finds nothing while one is pending reuses it. The
   * flag is the actor's own (cleared when the Poll is handled), not the future's isDone(): the Poll
   * can be handled before the scheduler thread has marked its future done, and relying on that
   * would drop the next poll and stall reading.
   */
  private void schedulePoll() {
    if (!pollPending) {
      pollPending = true;
      ActorRef<Command> self = getContext().getSelf();
      pendingPoll = PollScheduler.schedule(pollDelay, () -> self.tell(Poll.INSTANCE));
    }
  }

  /**
   * True while the streamed-transaction spool's disk part is full: nothing is read (the server
   * waits, nothing is dropped), and the reason says which setting to raise.
   */
  private boolean spoolFull() {
    boolean full = assembler.spoolFull();
    if (full && !spoolWaiting) {
      log.warn(
          "slot {}: the streamed-transaction spool is full ({}.spool.disk-limit = {} bytes); reading"
              + " waits until a spooled transaction is delivered or aborted",
          settings.slot().name(),
          SourceSettings.CONFIG_PATH,
          settings.stream().spool().diskLimit());
      reason(
          "waiting: the streamed-transaction spool is full ("
              + SourceSettings.CONFIG_PATH
              + ".spool.disk-limit = "
              + settings.stream().spool().diskLimit()
              + " bytes); raise it if this lasts");
    } else if (!full && spoolWaiting) {
      reason("streaming from slot " + settings.slot().name());
    }
    spoolWaiting = full;
    return full;
  }

  private Behavior<Command> onKeepalive() throws Exception {
    if (readOutstanding && !spoolWaiting) {
      long silentSince = Math.max(lastServerMessageNanos, readSinceNanos);
      long silentNanos = System.nanoTime() - silentSince;
      if (silentNanos > livenessTimeout.toNanos()) {
        throw new ClassifiedException(
            ErrorClass.TRANSIENT,
            "no message from the server for "
                + Duration.ofNanos(silentNanos).toMillis()
                + " ms although every keepalive asks for a reply;"
                + " the network path looks dead",
            null,
            null);
      }
    }
    // Asking for a reply makes a live server answer at once; that answer is what tells a quiet
    // stream from a dead path.
    sendStatus(true);
    if (readOutstanding && !waiting) {
      // Belt and braces: an open Read always has a poll or a wake on its way.
      schedulePoll();
    }
    return this;
  }

  /**
   * Keepalives alone would carry a new confirmed position to the server up to a keepalive interval
   * (15 s) late, and a crash in between delivers all of that acknowledged work again. A short timer
   * that sends only when the position moved keeps that window at one interval without adding
   * traffic to an idle or stalled stream.
   */
  private Behavior<Command> onFlushAcks() throws Exception {
    if (flushPosition().isAfter(lastReportedFlush)) {
      sendStatus(false);
    }
    return this;
  }

  private Behavior<Command> onShutdown(Shutdown m) {
    timers.cancelAll();
    if (pendingPoll != null) {
      pendingPoll.cancel(false);
    }
    if (session != null && session.streaming()) {
      try {
        sendStatus(false);
        log.info(
            "slot {}: final status update sent, confirmed {}",
            settings.slot().name(),
            flushPosition());
      } catch (Exception e) {
        log.warn(
            "slot {}: could not send the final status update: {}",
            settings.slot().name(),
            e.getMessage());
      }
    }
    closeSession();
    m.done().complete(null);
    return Behaviors.stopped();
  }

  /**
   * The answer to a keepalive that asks for one. When the consumer has acknowledged everything the
   * server sent, it is the usual status update. Otherwise it reports what was received as written
   * and the flush position as invalid (0/0), as pg_receivewal does: a stopping server's walsender
   * (WalSndDone) waits until the flush position, or the write position when flush is invalid,
   * reaches everything it sent, pinging for replies meanwhile; with the acknowledged position it
   * would hold a FAST or smart shutdown for as long as the consumer holds its acknowledgement.
   * Nothing is confirmed by it: the server moves the slot only on a valid flush position
   * (ProcessStandbyReplyMessage), and the next regular status update reports the acknowledged one
   * again.
   */
  private void answerPing(Lsn walEnd) throws Exception {
    Lsn flushed = flushPosition();
    if (!flushed.isBefore(walEnd)) {
      sendStatus(false);
      return;
    }
    session.send(
        ReplicationFrames.standbyStatusUpdate(
            Lsn.max(lastReceived, walEnd), Lsn.INVALID, Lsn.INVALID, Instant.now(), false));
  }

  private void sendStatus(boolean replyRequested) throws Exception {
    Lsn flushed = flushPosition();
    session.send(
        ReplicationFrames.standbyStatusUpdate(
            Lsn.max(lastReceived, flushed), flushed, flushed, Instant.now(), replyRequested));
    lastReportedFlush = flushed;
  }

  /**
   * What the server may treat as flushed: acknowledged, and never below what the slot already had.
   * Until the SourceActor has taken this start, its confirmed position may still be that of a
   * history this connection does not continue (another server, a replaced slot), so only the slot's
   * own position is reported.
   */
  private Lsn flushPosition() {
    if (!accepted) {
      return slotConfirmedAtStart;
    }
    return Lsn.max(Lsn.of(context.confirmed().getAsLong()), slotConfirmedAtStart);
  }

  private void reason(String text) {
    monitor.tell(new StatusMonitor.SetReason(text, getContext().getSelf()));
  }

  private void closeSession() {
    if (waiter != null) {
      // Before the socket closes: the waiter's read fails then, and that is no news to anyone.
      waiter.close();
      waiter = null;
    }
    if (assembler != null) {
      assembler.close(); // its spool files: the next connection receives those transactions again
    }
    if (reader != null) {
      // A read may be running on the blocking dispatcher: abort its socket rather than wait.
      reader.abort();
      reader = null;
    }
    if (session != null) {
      if (creating) {
        // The creation thread is inside a call on this connection: abort the socket rather than
        // talk to the server from a second thread; the call fails and its result goes nowhere.
        // Our walsender does not notice (it waits on a lock), so it is ended separately.
        session.abort();
        AbandonedCreation.end(settings, walsender);
      } else {
        session.close();
      }
      session = null;
    }
  }
}
