package io.slotkeeper.internal.physical;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.internal.connection.CopyStream;
import io.slotkeeper.internal.connection.EmptyReads;
import io.slotkeeper.internal.connection.KeepaliveSchedule;
import io.slotkeeper.internal.connection.PollScheduler;
import io.slotkeeper.internal.connection.ReadinessWaiter;
import io.slotkeeper.internal.status.StatusMonitor;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.internal.supervision.Restarter;
import io.slotkeeper.internal.supervision.SqlStates;
import io.slotkeeper.internal.wire.PrimaryKeepalive;
import io.slotkeeper.internal.wire.ReplicationFrame;
import io.slotkeeper.internal.wire.ReplicationFrames;
import io.slotkeeper.internal.wire.XLogData;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
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
 * The only owner of one physical replication connection and its COPY stream (one instance per
 * connection attempt, supervised by the shared {@link Restarter}). It decides the start ({@link
 * StartDecision}), starts streaming, and then reads the socket only while its last batch of WAL has
 * been taken by the writing stream ({@link WalPipe}): a slow disk stops reads, never keepalives,
 * which are timer messages. Status updates report as flushed only what the writer has fsynced
 * ({@link ArchiveState#flushed}), so the slot never passes what is on disk.
 */
final class PhysicalConnectionActor extends AbstractBehavior<PhysicalConnectionActor.Command> {

  interface Command {}

  /** Send a final status update, close the connection and stop. */
  record Shutdown(CompletableFuture<Void> done) implements Command {}

  private enum Start implements Command {
    INSTANCE
  }

  private enum Poll implements Command {
    INSTANCE
  }

  private enum Keepalive implements Command {
    INSTANCE
  }

  private enum FlushReport implements Command {
    INSTANCE
  }

  /** The {@link ReadinessWaiter} saw bytes arrive (or the connection end); the stream is ours. */
  private record Woken(ReadinessWaiter.Wake wake, IOException failure) implements Command {}

  /** The writing stream took (or refused, {@code failure} set) the last batch. */
  private record Offered(Throwable failure) implements Command {}

  private static final Logger log = LoggerFactory.getLogger(PhysicalConnectionActor.class);

  /** Read at most this much WAL per batch, so one batch never holds much memory. */
  private static final int MAX_BATCH_BYTES = 4 << 20;

  private final ArchiveSettings settings;
  private final ArchiveState state;
  private final WalPipe pipe;
  private final ActorRef<StatusMonitor.Command> monitor;
  private final ActorRef<Restarter.Command> restarter;
  private final TimerScheduler<Command> timers;

  private PhysicalSession session;
  private WalSegments segments;
  private int timeline;
  private Lsn lastReceived = Lsn.INVALID;
  private Lsn lastReportedFlush = Lsn.INVALID;
  private Duration livenessTimeout;
  private boolean offerPending;
  private long readingSinceNanos;
  private long lastServerMessageNanos;
  private Duration pollDelay;
  private boolean pollPending;
  private ScheduledFuture<?> pendingPoll;

  private final LongAdder emptyReads;

  /**
   * Wakes this actor when the server sends something, instead of re-polling a quiet stream (null
   * before streaming, and when pgjdbc's stream cannot be reached: then the re-poll stays). While
   * {@code waiting} the waiter holds the stream's input: nothing here reads until {@link Woken}.
   */
  private ReadinessWaiter waiter;

  private boolean waiting;

  /** Set when synchronous: this connection's listener, removed when it stops. */
  private Runnable flushListener;

  static Behavior<Command> create(
      ArchiveSettings settings,
      ArchiveState state,
      WalPipe pipe,
      ActorRef<StatusMonitor.Command> monitor,
      ActorRef<Restarter.Command> restarter) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  ctx.getSelf().tell(Start.INSTANCE);
                  return new PhysicalConnectionActor(
                      ctx, timers, settings, state, pipe, monitor, restarter);
                }));
  }

  private PhysicalConnectionActor(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ArchiveSettings settings,
      ArchiveState state,
      WalPipe pipe,
      ActorRef<StatusMonitor.Command> monitor,
      ActorRef<Restarter.Command> restarter) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.state = state;
    this.pipe = pipe;
    this.monitor = monitor;
    this.restarter = restarter;
    this.pollDelay = settings.source().stream().pollMinInterval();
    this.emptyReads = EmptyReads.archiveCounter(settings.directory());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Start.INSTANCE, this::onStart)
        .onMessageEquals(Poll.INSTANCE, this::onPoll)
        .onMessage(Woken.class, this::onWoken)
        .onMessage(Offered.class, this::onOffered)
        .onMessageEquals(Keepalive.INSTANCE, this::onKeepalive)
        .onMessageEquals(FlushReport.INSTANCE, this::onFlushReport)
        .onMessage(Shutdown.class, this::onShutdown)
        .onSignal(
            PostStop.class,
            s -> {
              if (flushListener != null) {
                state.flushListener.compareAndSet(flushListener, () -> {});
              }
              cancelPoll();
              closeSession();
              return this;
            })
        .build();
  }

  private Behavior<Command> onStart() throws Exception {
    ActorRef<Command> self = getContext().getSelf();
    String slot = settings.slotName();
    reason("connecting to " + settings.source().connection().url() + " for physical replication");
    session = PhysicalSession.open(settings.source(), settings.applicationName());
    monitor.tell(
        new StatusMonitor.SetCondition(StatusMonitor.Condition.DATABASE_REACHABLE, true, self));
    PhysicalSession.Identity identity = session.identifySystem();
    int version = session.serverVersionNum();
    segments = new WalSegments(ServerUnits.bytes(session.show("wal_segment_size")));
    Duration walSenderTimeout = ServerUnits.duration(session.show("wal_sender_timeout"));

    Optional<StartDecision.SlotPosition> slotPosition = Optional.empty();
    if (!slot.isEmpty()) {
      if (settings.createSlot()) {
        createSlotIfMissing(slot);
      }
      slotPosition = readSlot(slot, version);
      if (slotPosition.isEmpty()) {
        throw new ClassifiedException(
            new Classification(
                ErrorClass.FATAL,
                "there is no replication slot " + slot,
                "create it (--create-slot, or CREATE_REPLICATION_SLOT "
                    + slot
                    + " PHYSICAL RESERVE_WAL), or name an existing physical slot",
                FailureKind.MISSING_OBJECT),
            null);
      }
    }
    StartDecision.Decision decision =
        StartDecision.decide(
            segments,
            ArchiveDirectory.newest(settings.directory(), segments),
            slotPosition,
            slot,
            identity.position(),
            identity.timeline(),
            settings.allowGap());
    if (decision instanceof StartDecision.Refuse refuse) {
      throw new ClassifiedException(
          new Classification(
              ErrorClass.FATAL, refuse.problem(), refuse.remediation(), FailureKind.CONFIGURATION),
          null);
    }
    StartDecision.Start start = (StartDecision.Start) decision;
    int startTimeline = followHistory(start, identity.timeline());
    if (start.origin() == StartDecision.Origin.SERVER_POSITION_GAP_ALLOWED) {
      log.warn("archive {}: {}", settings.directory(), start.explanation());
    } else {
      log.info("archive {}: {}", settings.directory(), start.explanation());
    }
    state.start.set(start.explanation());
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.SLOT_READY, true, self));

    streamTimeline(start.lsn(), startTimeline);
    Duration keepalive = KeepaliveSchedule.interval(settings.source(), walSenderTimeout);
    livenessTimeout =
        KeepaliveSchedule.livenessTimeout(settings.source(), walSenderTimeout, keepalive);
    session.boundStreamingIo(livenessTimeout);
    // The same connection (and pgjdbc stream) carries every timeline of this attempt, so one
    // waiter serves them all; it is armed only between reads, never while commands run.
    waiter =
        session.wakeOnData(
            "slotkeeper-wake-archive-" + (slot.isEmpty() ? "no-slot" : slot),
            (wake, failure) -> self.tell(new Woken(wake, failure)));
    lastServerMessageNanos = System.nanoTime();
    readingSinceNanos = lastServerMessageNanos;
    timers.startTimerWithFixedDelay(Keepalive.INSTANCE, keepalive);
    timers.startTimerWithFixedDelay(
        FlushReport.INSTANCE, settings.source().stream().ackFlushInterval());
    if (settings.synchronous()) {
      // A synchronous standby's flush position holds commits back: report each fsync at once.
      flushListener = () -> self.tell(FlushReport.INSTANCE);
      state.flushListener.set(flushListener);
    }
    log.info(
        "archive {}: streaming {} from {} on timeline {} (server {}, wal_segment_size {}, keepalive every {})",
        settings.directory(),
        slot.isEmpty() ? "without a slot" : "slot " + slot,
        start.lsn(),
        timeline,
        version,
        segments.segmentSize(),
        keepalive);
    reason("archiving from " + start.lsn() + ": " + start.explanation());
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.STREAMING, true, self));
    restarter.tell(new Restarter.StreamingStarted(self));
    return drain();
  }

  /**
   * The timeline to stream the start position on, from the server's history when the server is past
   * timeline 1: the directory's (or slot's) timeline while the position lies before that timeline's
   * end (the server then streams it to its end and the stream switches), else the timeline that
   * holds the position. An archive past the point where the server's history left its timeline
   * holds WAL of another branch, and an archive on a newer timeline than the server's belongs to
   * another server: both are refused.
   */
  private int followHistory(StartDecision.Start start, int serverTimeline) throws SQLException {
    // A timeline the archive or READ_REPLICATION_SLOT named is a lower bound; the others (13/14's
    // catalog, the server's position) say nothing of where the position's timeline is.
    boolean named =
        start.origin() == StartDecision.Origin.DIRECTORY
            || start.origin() == StartDecision.Origin.READ_REPLICATION_SLOT;
    int known = named ? start.timeline() : 0;
    if (known > serverTimeline) {
      throw refuse(
          "the archive is on timeline "
              + known
              + " but the server is on timeline "
              + serverTimeline
              + "; it was archived from another server",
          "archive this server into another directory, or connect to the server of that timeline");
    }
    if (serverTimeline == 1) {
      return 1;
    }
    TimelineHistory history = session.history(serverTimeline);
    if (known > 0 && !history.contains(known)) {
      throw refuse(
          "the archive is on timeline "
              + known
              + ", which is not in the history of the server's timeline "
              + serverTimeline,
          "archive this server into another directory");
    }
    if (start.origin() == StartDecision.Origin.DIRECTORY && known < serverTimeline) {
      Lsn end = history.end(known).orElseThrow();
      if (start.lsn().isAfter(end)) {
        throw refuse(
            "the archive holds WAL of timeline "
                + known
                + " up to "
                + start.lsn()
                + ", past "
                + end
                + " where the server's history leaves that timeline: it was archived from"
                + " another branch of the history",
            "archive this server into another directory");
      }
    }
    int chosen = history.timelineAt(start.lsn(), known);
    if (chosen != start.timeline()) {
      log.info(
          "archive {}: the server's history puts {} on timeline {}",
          settings.directory(),
          start.lsn(),
          chosen);
    }
    return chosen;
  }

  private static ClassifiedException refuse(String problem, String remediation) {
    return new ClassifiedException(
        new Classification(ErrorClass.FATAL, problem, remediation, FailureKind.CONFIGURATION),
        null);
  }

  /**
   * Writes the timeline's history file when the archive lacks it (as pg_receivewal does before
   * streaming a timeline), then START_REPLICATION on it.
   */
  private void streamTimeline(Lsn from, int tli) throws Exception {
    if (!HistoryFile.present(settings.directory(), tli)) {
      PhysicalSession.History h = session.timelineHistory(tli);
      HistoryFile.write(settings.directory(), tli, h.fileName(), h.content());
      log.info("archive {}: wrote {}", settings.directory(), h.fileName());
    }
    timeline = tli;
    state.timeline.set(timeline);
    session.startStreaming(settings.slotName(), from, timeline);
    lastReceived = Lsn.max(lastReceived, from);
  }

  /**
   * The server ended the timeline being streamed (CopyDone: it became historic, e.g. a promotion).
   * As pg_receivewal: end the COPY, learn where the timeline ended and which follows (here from the
   * server's history, since pgjdbc drops the result set that says it), keep the old timeline's last
   * segment {@code .partial}, and stream the next timeline from the start of the segment holding
   * the switch point. Everything received before the switch is already on its way to the writer,
   * which closes the old segment when WAL of the new timeline arrives.
   */
  private void switchTimeline() throws Exception {
    int ended = timeline;
    session.endStreamingAfterTimelineEnd();
    PhysicalSession.Identity identity = session.identifySystem();
    TimelineHistory history = session.history(identity.timeline());
    Lsn end =
        history
            .end(ended)
            .orElseThrow(
                () ->
                    new ClassifiedException(
                        ErrorClass.TRANSIENT,
                        "the server ended timeline "
                            + ended
                            + " but its history (timeline "
                            + identity.timeline()
                            + ") does not say where",
                        null,
                        null));
    if (end.isAfter(lastReceived)) {
      throw new ClassifiedException(
          ErrorClass.TRANSIENT,
          "the server stopped streaming timeline "
              + ended
              + " at "
              + lastReceived
              + ", but its history has it end at "
              + end,
          null,
          null);
    }
    int next = history.next(ended);
    Lsn from = segments.segmentStart(end);
    log.info(
        "archive {}: timeline {} ended at {}; continuing on timeline {} from {}",
        settings.directory(),
        ended,
        end,
        next,
        from);
    streamTimeline(from, next);
    reason("archiving timeline " + next + " from " + from + " (timeline " + ended + " ended)");
  }

  private void createSlotIfMissing(String slot) throws SQLException {
    try {
      session.createPhysicalSlot(slot);
      log.info("created physical replication slot {} (RESERVE_WAL)", slot);
    } catch (SQLException e) {
      if (!SqlStates.DUPLICATE_OBJECT.equals(
          e.getSQLState())) { // duplicate_object: it exists, which is what we want
        throw e;
      }
    }
  }

  /** 15+: READ_REPLICATION_SLOT on this connection; before: pg_replication_slots. */
  private Optional<StartDecision.SlotPosition> readSlot(String slot, int version)
      throws SQLException {
    if (version >= 150000) {
      return session.readReplicationSlot(slot);
    }
    return PhysicalSession.slotFromCatalog(settings.source(), slot);
  }

  private Behavior<Command> onPoll() throws Exception {
    pollPending = false;
    return drain();
  }

  /**
   * The waiter saw something: the stream is ours again. What arrived is read as usual (WAL, a
   * keepalive, the CopyDone of a timeline's end, an error the server sent); a connection that ended
   * shows here at once, where the non-blocking look would report an end of stream as "nothing
   * waits".
   */
  private Behavior<Command> onWoken(Woken m) throws Exception {
    waiting = false;
    switch (m.wake()) {
      case CLOSED_BY_SERVER ->
          throw new PSQLException(
              "the server closed the physical replication connection",
              PSQLState.CONNECTION_FAILURE);
      case FAILED ->
          throw new PSQLException(
              "the physical replication connection failed: " + m.failure().getMessage(),
              PSQLState.CONNECTION_FAILURE,
              m.failure());
      default -> {
        return drain();
      }
    }
  }

  /** Reads what is already waiting, up to a batch; never waits for the server. */
  private Behavior<Command> drain() throws Exception {
    if (offerPending || session == null || waiting) {
      // An offer in flight: reading waits for the writer. Waiting: the waiter holds the stream's
      // input, and its Woken brings us back here.
      return this;
    }
    List<WalChunk> chunks = new ArrayList<>();
    long bytes = 0;
    boolean timelineEnded = false;
    while (bytes < MAX_BATCH_BYTES) {
      // One look decides: a CopyDone must never reach pgjdbc's read (see CopyStream.waiting).
      CopyStream.Waiting next = session.waiting();
      if (next == CopyStream.Waiting.COPY_DONE) {
        timelineEnded = true;
        break;
      }
      if (next == CopyStream.Waiting.NOTHING) {
        emptyReads.increment();
        break;
      }
      byte[] data = session.readPending();
      if (data == null) {
        emptyReads.increment();
        break;
      }
      lastServerMessageNanos = System.nanoTime();
      ReplicationFrame frame = ReplicationFrames.decode(data);
      if (frame instanceof XLogData x) {
        int n = x.payload().remaining();
        // The payload views the array readFromCopy returned, which nothing else uses.
        chunks.add(new WalChunk(segments, timeline, x.walStart(), x.payload()));
        bytes += n;
        lastReceived = Lsn.max(lastReceived, x.walStart().plus(n));
      } else if (frame instanceof PrimaryKeepalive k) {
        state.serverWalEnd.set(k.walEnd().value());
        if (k.replyRequested()) {
          sendStatus(false);
        }
      }
    }
    state.received.set(lastReceived.value());
    if (timelineEnded) {
      lastServerMessageNanos = System.nanoTime();
      if (!chunks.isEmpty()) {
        offerPending = true;
        getContext()
            .pipeToSelf(
                pipe.offer(new WalChunk.Batch(chunks)), (ok, failure) -> new Offered(failure));
      }
      switchTimeline();
      if (!offerPending) {
        schedulePoll();
      }
      return this;
    }
    if (!chunks.isEmpty()) {
      offerPending = true;
      pollDelay = settings.source().stream().pollMinInterval();
      getContext()
          .pipeToSelf(
              pipe.offer(new WalChunk.Batch(chunks)), (ok, failure) -> new Offered(failure));
    } else if (waiter != null) {
      // Nothing waits: lend the stream to the waiter, which wakes us when the server sends.
      waiting = true;
      waiter.arm();
    } else {
      schedulePoll();
      pollDelay = pollDelay.multipliedBy(2);
      if (pollDelay.compareTo(settings.source().stream().pollMaxInterval()) > 0) {
        pollDelay = settings.source().stream().pollMaxInterval();
      }
    }
    return this;
  }

  private Behavior<Command> onOffered(Offered m) throws Exception {
    if (m.failure() != null) {
      throw new IllegalStateException("the archive's writer failed", m.failure());
    }
    offerPending = false;
    readingSinceNanos = System.nanoTime();
    return drain();
  }

  private void schedulePoll() {
    if (!pollPending) {
      pollPending = true;
      ActorRef<Command> self = getContext().getSelf();
      pendingPoll = PollScheduler.schedule(pollDelay, () -> self.tell(Poll.INSTANCE));
    }
  }

  private Behavior<Command> onKeepalive() throws Exception {
    if (!offerPending) {
      // Only while reading: a backpressured connection reads nothing, so hears nothing.
      long silentNanos = System.nanoTime() - Math.max(lastServerMessageNanos, readingSinceNanos);
      if (silentNanos > livenessTimeout.toNanos()) {
        throw new ClassifiedException(
            ErrorClass.TRANSIENT,
            "no message from the server for "
                + Duration.ofNanos(silentNanos).toMillis()
                + " ms although every keepalive asks for a reply; the network path looks dead",
            null,
            null);
      }
    }
    sendStatus(true);
    return this;
  }

  /** Reports a newly fsynced position soon, so the server may recycle WAL the archive holds. */
  private Behavior<Command> onFlushReport() throws Exception {
    if (Lsn.of(state.flushed.get()).isAfter(lastReportedFlush)) {
      sendStatus(false);
    }
    return this;
  }

  /**
   * write = received, flush = fsynced (never more), apply = invalid, as pg_receivewal reports: a
   * physical slot's restart_lsn follows the flush position.
   */
  private void sendStatus(boolean replyRequested) throws Exception {
    Lsn flushed = Lsn.of(state.flushed.get());
    session.send(
        ReplicationFrames.standbyStatusUpdate(
            Lsn.max(lastReceived, flushed), flushed, Lsn.INVALID, Instant.now(), replyRequested));
    lastReportedFlush = flushed;
  }

  private Behavior<Command> onShutdown(Shutdown m) {
    timers.cancelAll();
    cancelPoll();
    if (session != null && session.streaming()) {
      try {
        sendStatus(false);
        log.info(
            "archive {}: final status update sent, flushed {}",
            settings.directory(),
            lastReportedFlush);
      } catch (Exception e) {
        log.warn(
            "archive {}: could not send the final status update: {}",
            settings.directory(),
            e.getMessage());
      }
    }
    closeSession();
    m.done().complete(null);
    return Behaviors.stopped();
  }

  private void cancelPoll() {
    if (pendingPoll != null) {
      pendingPoll.cancel(false);
    }
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
    if (session != null) {
      session.close();
      session = null;
    }
  }
}
