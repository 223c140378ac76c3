package io.slotkeeper.internal;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.wire.PrimaryKeepalive;
import io.slotkeeper.internal.wire.ReplicationFrame;
import io.slotkeeper.internal.wire.ReplicationFrames;
import io.slotkeeper.internal.wire.XLogData;
import io.slotkeeper.pgoutput.PgOutputDecoder;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
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
 * The only owner of a replication connection and its stream: every call on them happens in this
 * actor's mailbox, so no second thread ever touches the stream. One instance per connection
 * attempt; on any error it throws, stops (closing the connection) and leaves the decision to the
 * {@link Restarter}.
 *
 * <p>Reads happen only against demand ({@link Read}); with no demand nothing is read, the kernel
 * buffers fill and TCP flow control holds the walsender back. The keepalive timer is an ordinary
 * message, so status updates keep flowing however long the consumer stalls.
 */
public final class ConnectionActor extends AbstractBehavior<ConnectionActor.Command> {

  public interface Command {}

  /** The stream wants up to {@code max} envelopes; answered with one {@link SourceActor.Received}. */
  public record Read(int max) implements Command {}

  /** Send a final status update, close the connection and stop. */
  public record Shutdown(CompletableFuture<Void> done) implements Command {}

  /**
   * The SourceActor has taken this connection's start (and reset its ledger if the start needed
   * a resync): from now on its confirmed position belongs to this connection's history.
   */
  public enum StreamingAccepted implements Command { INSTANCE }

  private enum Start implements Command { INSTANCE }

  /** The slot-creation call ended; {@code failure} is null when it succeeded. */
  private record SlotCreationDone(ServerFacts facts, ServerIdentity server, Throwable failure) implements Command {}

  private enum Poll implements Command { INSTANCE }

  private enum Keepalive implements Command { INSTANCE }

  /** Report a newly acknowledged position if there is one (every {@code ack.flush-interval}). */
  private enum FlushAcks implements Command { INSTANCE }

  private static final Logger log = LoggerFactory.getLogger(ConnectionActor.class);
  /** How long a terminated orphan walsender may take to exit and release the slot. */
  private static final Duration ORPHAN_EXIT_WAIT = Duration.ofSeconds(10);

  private final SourceSettings settings;
  private final ActorRef<SourceActor.Command> source;
  private final ActorRef<StatusMonitor.Command> monitor;
  private final ActorRef<Restarter.Command> restarter;
  private final ActorRef<AdminActor.Command> admin;
  private final LongSupplier confirmed;
  private final AtomicLong receivedLsn;
  private final AckTarget ackTarget;
  private final OwnWalsenders ownWalsenders;
  private final StreamHistory history;
  private final TimerScheduler<Command> timers;

  private ReplicationSession session;
  private PgOutputDecoder decoder;
  private EnvelopeAssembler assembler;
  private Lsn slotConfirmedAtStart = Lsn.INVALID;
  private boolean accepted;
  private boolean slotCreated;
  /** True while the slot-creation call runs on its own thread and owns the session. */
  private boolean creating;
  /** The server process behind our connection. */
  private OwnWalsenders.Identity walsender;
  private Lsn lastReceived = Lsn.INVALID;
  private Lsn lastReportedFlush = Lsn.INVALID;
  private Duration livenessTimeout;
  private int readMax;
  private boolean readOutstanding;
  private long readSinceNanos;
  private long lastServerMessageNanos;
  private Duration pollDelay;
  private ScheduledFuture<?> pendingPoll;
  private boolean pollPending;

  public static Behavior<Command> create(
      SourceSettings settings,
      ActorRef<SourceActor.Command> source,
      ActorRef<StatusMonitor.Command> monitor,
      ActorRef<Restarter.Command> restarter,
      ActorRef<AdminActor.Command> admin,
      LongSupplier confirmed,
      AtomicLong receivedLsn,
      AckTarget ackTarget,
      OwnWalsenders ownWalsenders,
      StreamHistory history) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.getSelf().tell(Start.INSTANCE);
      return new ConnectionActor(ctx, timers, settings, source, monitor, restarter, admin, confirmed, receivedLsn,
          ackTarget, ownWalsenders, history);
    }));
  }

  private ConnectionActor(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      SourceSettings settings,
      ActorRef<SourceActor.Command> source,
      ActorRef<StatusMonitor.Command> monitor,
      ActorRef<Restarter.Command> restarter,
      ActorRef<AdminActor.Command> admin,
      LongSupplier confirmed,
      AtomicLong receivedLsn,
      AckTarget ackTarget,
      OwnWalsenders ownWalsenders,
      StreamHistory history) {
    super(ctx);
    this.ownWalsenders = ownWalsenders;
    this.history = history;
    this.admin = admin;
    this.timers = timers;
    this.settings = settings;
    this.source = source;
    this.monitor = monitor;
    this.restarter = restarter;
    this.confirmed = confirmed;
    this.receivedLsn = receivedLsn;
    this.ackTarget = ackTarget;
    this.pollDelay = settings.pollMinInterval();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Start.INSTANCE, this::onStart)
        .onMessage(SlotCreationDone.class, this::onSlotCreationDone)
        .onMessageEquals(StreamingAccepted.INSTANCE, () -> {
          accepted = true;
          return this;
        })
        .onMessage(Read.class, this::onRead)
        .onMessageEquals(Poll.INSTANCE, this::onPoll)
        .onMessageEquals(Keepalive.INSTANCE, this::onKeepalive)
        .onMessageEquals(FlushAcks.INSTANCE, this::onFlushAcks)
        .onMessage(Shutdown.class, this::onShutdown)
        .onSignal(PostStop.class, s -> {
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

  /** The setup steps: connect, check the server, verify the slot, start streaming. Throws on any problem. */
  private Behavior<Command> onStart() throws Exception {
    ActorRef<Command> self = getContext().getSelf();
    reason("connecting to " + settings.databaseName() + " as " + settings.user());
    session = ReplicationSession.open(settings);
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.DATABASE_REACHABLE, true, self));

    ServerFacts facts = session.inspect();
    walsender = new OwnWalsenders.Identity(facts.backendPid(), session.backendStart(facts.backendPid()));
    ownWalsenders.add(walsender);
    ServerIdentity server = session.identifySystem();
    SetupChecks.checkServer(facts, settings);
    List<String> missing = session.missingPublications(settings.publications());
    if (!missing.isEmpty() && settings.createPublicationIfMissing()) {
      for (String publication : missing) {
        session.createPublication(publication, settings.publicationTables());
        log.info("created publication {} for {}", publication,
            settings.publicationTables().isEmpty() ? "all tables" : settings.publicationTables());
      }
      missing = session.missingPublications(settings.publications());
    }
    SetupChecks.checkPublications(missing, facts, settings);

    SlotInfo slot = endOwnOrphan(session.slot(settings.slotName(), facts), facts);
    if (slot != null && slot.invalidated()) {
      if (settings.onInvalidated() != SourceSettings.OnInvalidated.RECREATE) {
        throw SetupChecks.invalidated(slot, settings, null);
      }
      if (slot.activePid() != null) {
        throw busy(slot);
      }
      String why = "slot " + settings.slotName() + " was invalidated (" + slot.invalidationDescription() + ")";
      log.warn("slot {}: {}; dropping and re-creating it (slot.on-invalidated = recreate). Changes after {} are lost"
          + " to this consumer: it gets a RESYNC_REQUIRED element", settings.slotName(), why, slot.confirmedFlushLsn());
      // Remembered before the drop: if the creation below fails, the next attempt still creates
      // the slot and still announces the gap.
      history.replacingSlot(new ResyncRequired(settings.slotName(), slot.confirmedFlushLsn(), Lsn.INVALID, why));
      session.dropSlot(settings.slotName());
      return createSlot(facts, server);
    } else if (slot == null
        && (settings.createSlotIfMissing() || settings.temporarySlot() || history.pendingReplacement() != null)) {
      // A temporary slot ends with its connection, so each connection creates its own; a slot
      // this source dropped to replace it is re-created whatever create-if-missing says.
      slotCreated = true;
      return createSlot(facts, server);
    }
    return startReplication(facts, server, slot);
  }

  /** The setup steps after the slot exists: verify it and start streaming from its confirmed position. */
  private Behavior<Command> startReplication(ServerFacts facts, ServerIdentity server, SlotInfo slot)
      throws Exception {
    ActorRef<Command> self = getContext().getSelf();
    SetupChecks.checkSlot(slot, facts, settings);
    // A temporary slot is held by the session that created it: ours.
    if (slot.activePid() != null && slot.activePid() != facts.backendPid()) {
      throw busy(slot);
    }
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.SLOT_READY, true, self));
    reason("slot " + settings.slotName() + " verified; starting replication");

    // Resume from the server's slot, never from a local guess.
    slotConfirmedAtStart = slot.confirmedFlushLsn();
    lastReceived = slotConfirmedAtStart;
    ResyncRequired resync = continuity(server, slot);
    decoder = new PgOutputDecoder(settings.protoVersion(), false);
    assembler = new EnvelopeAssembler(ackTarget);
    try {
      session.startStreaming(slotConfirmedAtStart, facts);
    } catch (SQLException e) {
      throw SetupChecks.classifyStartFailure(e, slot, settings);
    }

    Duration keepalive = KeepaliveSchedule.interval(settings, facts.walSenderTimeout());
    livenessTimeout = KeepaliveSchedule.livenessTimeout(settings, facts.walSenderTimeout(), keepalive);
    session.boundStreamingIo(livenessTimeout);
    lastServerMessageNanos = System.nanoTime();
    timers.startTimerWithFixedDelay(Keepalive.INSTANCE, keepalive);
    lastReportedFlush = slotConfirmedAtStart;
    timers.startTimerWithFixedDelay(FlushAcks.INSTANCE, settings.ackFlushInterval());
    log.info("slot {}: streaming from {} (server {}, wal_sender_timeout {}, keepalive every {}, liveness {})",
        settings.slotName(), slotConfirmedAtStart, facts.serverVersionNum(), facts.walSenderTimeout(), keepalive,
        livenessTimeout);
    // The source learns the start position first, so its progress is right once ACTIVE shows.
    history.started(server, slotConfirmedAtStart);
    if (resync != null) {
      // What the previous history received says nothing about this one.
      receivedLsn.set(slotConfirmedAtStart.value());
    }
    source.tell(new SourceActor.Streaming(self, slotConfirmedAtStart, resync));
    reason("streaming from slot " + settings.slotName());
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.STREAMING, true, self));
    restarter.tell(new Restarter.StreamingStarted(self));
    return this;
  }

  /**
   * The RESYNC_REQUIRED this start needs, or null when it continues what the source delivered:
   * a replacement of our own slot not yet announced, or a start that {@link StreamHistory} cannot
   * prove continuous (another cluster or timeline, a slot this source did not have before, WAL
   * that no longer reaches what was received).
   */
  private ResyncRequired continuity(ServerIdentity server, SlotInfo slot) {
    Lsn confirmedBefore = Lsn.of(confirmed.getAsLong());
    ResyncRequired own = history.pendingReplacement();
    if (own != null) {
      return new ResyncRequired(own.slotName(), own.lastConfirmedLsn(), slot.confirmedFlushLsn(), own.reason());
    }
    String why = history.discontinuity(server, slot, slotCreated, settings.temporarySlot(), confirmedBefore,
        Lsn.of(receivedLsn.get()));
    if (why == null) {
      return null;
    }
    if (!settings.temporarySlot()) {
      log.warn("slot {}: {}; streaming from {} and announcing RESYNC_REQUIRED: changes after {} may never have"
          + " been delivered", settings.slotName(), why, slot.confirmedFlushLsn(), confirmedBefore);
    }
    return new ResyncRequired(settings.slotName(), confirmedBefore, slot.confirmedFlushLsn(), why);
  }

  /**
   * Starts creating the slot; {@link SlotCreationDone} continues the setup. Creation waits for
   * every transaction that was running when it began (healed by the AdminActor), possibly for
   * minutes, so the call runs on a thread of its own ({@link SlotCreationExecutor}) and this
   * actor's mailbox thread goes back to the connection dispatcher, where other sources need it
   * for their keepalives. While the call runs nothing else here touches the session (no timers
   * or reads are started before streaming), so the connection still has one user at a time; a
   * Shutdown meanwhile aborts the socket, which is what JDBC's abort is for.
   */
  private Behavior<Command> createSlot(ServerFacts facts, ServerIdentity server) {
    ActorRef<Command> self = getContext().getSelf();
    reason("creating replication slot " + settings.slotName());
    admin.tell(new AdminActor.CreationStarted(self, facts.backendPid(), facts.serverVersionNum()));
    ReplicationSession creatingSession = session;
    creating = true;
    getContext().pipeToSelf(SlotCreationExecutor.run(() -> creatingSession.createSlot(
            settings.slotName(), settings.temporarySlot(), settings.failoverSlot(), facts)),
        (ok, failure) -> new SlotCreationDone(facts, server, failure));
    return this;
  }

  private Behavior<Command> onSlotCreationDone(SlotCreationDone m) throws Exception {
    creating = false;
    admin.tell(new AdminActor.CreationFinished(getContext().getSelf()));
    if (m.failure() != null) {
      Throwable cause = m.failure() instanceof CompletionException && m.failure().getCause() != null
          ? m.failure().getCause() : m.failure();
      if (cause instanceof Exception e) {
        throw e;
      }
      throw (Error) cause;
    }
    log.info("created replication slot {} (pgoutput{}{})", settings.slotName(),
        settings.temporarySlot() ? ", temporary" : "", settings.failoverSlot() ? ", failover" : "");
    SlotInfo slot = session.slot(settings.slotName(), m.facts());
    return startReplication(m.facts(), m.server(), slot);
  }

  /**
   * When the slot is held by a walsender that an earlier connection of this source started and
   * that outlived it (see {@link OwnWalsenders}), terminates it and returns the slot as it is
   * afterwards (gone, when the orphan was still creating it). Anyone else's walsender is left
   * alone: the caller reports the slot BUSY.
   */
  private SlotInfo endOwnOrphan(SlotInfo slot, ServerFacts facts) throws Exception {
    if (slot == null || slot.activePid() == null || slot.activePid() == facts.backendPid()) {
      return slot;
    }
    int pid = slot.activePid();
    if (!ownWalsenders.contains(new OwnWalsenders.Identity(pid, session.backendStart(pid)))) {
      return slot;
    }
    log.warn("slot {}: PID {} is an orphan of this source, the walsender of an earlier connection of ours that"
        + " outlived it{} and still holds the slot; terminating it", settings.slotName(), pid,
        slot.confirmedFlushLsn().isValid() ? "" : " while creating the slot");
    session.terminateBackend(pid);
    long deadline = System.nanoTime() + ORPHAN_EXIT_WAIT.toNanos();
    SlotInfo now = session.slot(settings.slotName(), facts);
    while (now != null && now.activePid() != null && now.activePid() == pid && System.nanoTime() < deadline) {
      Thread.sleep(50);
      now = session.slot(settings.slotName(), facts);
    }
    return now;
  }

  private ClassifiedException busy(SlotInfo slot) throws Exception {
    ReplicationSession.Backend holder = session.describeBackend(slot.activePid());
    String app = holder.applicationName() == null || holder.applicationName().isEmpty()
        ? null : holder.applicationName();
    return new ClassifiedException(new Classification(ErrorClass.BUSY, "replication slot \"" + settings.slotName()
        + "\" is active for " + holder.describe(), null, FailureKind.OTHER, null,
        new Classification.SlotHolder(holder.pid(), app)), null);
  }

  private Behavior<Command> onRead(Read m) throws Exception {
    readMax = m.max();
    if (!readOutstanding) {
      readOutstanding = true;
      readSinceNanos = System.nanoTime();
    }
    pollDelay = settings.pollMinInterval();
    return drain();
  }

  private Behavior<Command> onPoll() throws Exception {
    pollPending = false;
    return readOutstanding ? drain() : this;
  }

  /** Reads what is already waiting, up to the demand; never waits for the server. */
  private Behavior<Command> drain() throws Exception {
    if (creating) {
      return this; // the creation thread owns the session; nothing is read before streaming anyway
    }
    List<Object> items = new ArrayList<>();
    int envelopes = 0;
    while (envelopes < readMax) {
      byte[] data = session.readPending();
      if (data == null) {
        break;
      }
      lastServerMessageNanos = System.nanoTime();
      ReplicationFrame frame = ReplicationFrames.decode(data);
      if (frame instanceof XLogData x) {
        lastReceived = Lsn.max(lastReceived, x.walStart());
        ChangeEnvelope env = assembler.assemble(decoder.decode(x.payload()), x.walStart(), x.sendTime());
        if (env != null) {
          items.add(env);
          envelopes++;
        }
      } else if (frame instanceof PrimaryKeepalive k) {
        lastReceived = Lsn.max(lastReceived, k.walEnd());
        items.add(new SourceActor.WalEnd(k.walEnd()));
        if (k.replyRequested()) {
          sendStatus(false);
        }
      }
    }
    receivedLsn.set(lastReceived.value());
    if (envelopes > 0) {
      readOutstanding = false;
      pollDelay = settings.pollMinInterval();
      source.tell(new SourceActor.Received(getContext().getSelf(), items));
    } else {
      if (!items.isEmpty()) {
        // Keepalives only: hand over their WAL ends, keep the demand open.
        source.tell(new SourceActor.Received(getContext().getSelf(), items, false));
      }
      schedulePoll();
      pollDelay = pollDelay.multipliedBy(2);
      if (pollDelay.compareTo(settings.pollMaxInterval()) > 0) {
        pollDelay = settings.pollMaxInterval();
      }
    }
    return this;
  }

  /**
   * One pending re-poll at a time; a Read that finds nothing while one is pending reuses it. The
   * flag is the actor's own (cleared when the Poll is handled), not the future's isDone(): the
   * Poll can be handled before the scheduler thread has marked its future done, and relying on
   * that would drop the next poll and stall reading.
   */
  private void schedulePoll() {
    if (!pollPending) {
      pollPending = true;
      ActorRef<Command> self = getContext().getSelf();
      pendingPoll = PollScheduler.schedule(pollDelay, () -> self.tell(Poll.INSTANCE));
    }
  }

  private Behavior<Command> onKeepalive() throws Exception {
    if (readOutstanding) {
      long silentSince = Math.max(lastServerMessageNanos, readSinceNanos);
      long silentNanos = System.nanoTime() - silentSince;
      if (silentNanos > livenessTimeout.toNanos()) {
        throw new ClassifiedException(ErrorClass.TRANSIENT, "no message from the server for "
            + Duration.ofNanos(silentNanos).toMillis() + " ms although every keepalive asks for a reply;"
            + " the network path looks dead", null, null);
      }
    }
    // Asking for a reply makes a live server answer at once; that answer is what tells a quiet
    // stream from a dead path.
    sendStatus(true);
    if (readOutstanding) {
      // Belt and braces: an open Read always has a poll on its way.
      schedulePoll();
    }
    return this;
  }

  /**
   * Keepalives alone would carry a new confirmed position to the server up to a keepalive
   * interval (15 s) late, and a crash in between delivers all of that acknowledged work again.
   * A short timer that sends only when the position moved keeps that window at one interval
   * without adding traffic to an idle or stalled stream.
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
        log.info("slot {}: final status update sent, confirmed {}", settings.slotName(), flushPosition());
      } catch (Exception e) {
        log.warn("slot {}: could not send the final status update: {}", settings.slotName(), e.getMessage());
      }
    }
    closeSession();
    m.done().complete(null);
    return Behaviors.stopped();
  }

  private void sendStatus(boolean replyRequested) throws Exception {
    Lsn flushed = flushPosition();
    session.send(ReplicationFrames.standbyStatusUpdate(
        Lsn.max(lastReceived, flushed), flushed, flushed, Instant.now(), replyRequested));
    lastReportedFlush = flushed;
  }

  /**
   * What the server may treat as flushed: acknowledged, and never below what the slot already
   * had. Until the SourceActor has taken this start, its confirmed position may still be that of
   * a history this connection does not continue (another server, a replaced slot), so only the
   * slot's own position is reported.
   */
  private Lsn flushPosition() {
    if (!accepted) {
      return slotConfirmedAtStart;
    }
    return Lsn.max(Lsn.of(confirmed.getAsLong()), slotConfirmedAtStart);
  }

  private void reason(String text) {
    monitor.tell(new StatusMonitor.SetReason(text, getContext().getSelf()));
  }

  private void closeSession() {
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
