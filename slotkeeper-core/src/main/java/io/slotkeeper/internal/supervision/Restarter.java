package io.slotkeeper.internal.supervision;

import io.slotkeeper.InternalApi;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.Waiting;
import io.slotkeeper.internal.connection.ConnectionActor;
import io.slotkeeper.internal.source.SourceActor;
import io.slotkeeper.internal.status.StatusMonitor;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.ChildFailed;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link ConnectionActor} alive. When it dies, the error decides: transient and busy
 * errors reconnect after an exponential back-off with jitter (reset once a connection has streamed
 * for {@code restart.reset-after}); fatal errors stop retrying and leave the source FAILED with the
 * remediation in its reason.
 */
@InternalApi
public final class Restarter<C> extends AbstractBehavior<Restarter.Command> {

  public interface Command {}

  /** The connection finished its setup and streams. */
  public record StreamingStarted(ActorRef<?> connection) implements Command {}

  /** Stop the connection cleanly (final status update) and stop. */
  public record Shutdown(CompletableFuture<Void> done) implements Command {}

  private enum Connect implements Command {
    INSTANCE
  }

  private static final Logger log = LoggerFactory.getLogger(Restarter.class);

  private final SourceSettings settings;
  private final ActorRef<StatusMonitor.Command> monitor;
  private final Consumer<SourceFailedException> onFatal;
  private final Function<ActorRef<Command>, Behavior<C>> connectionFactory;
  private final Function<CompletableFuture<Void>, C> shutdownMessage;
  private final TimerScheduler<Command> timers;
  private final AtomicLong reconnects;
  private ActorRef<C> connection;
  private int attempt;
  private final InvalidStreamStreak invalidStreamStreak = new InvalidStreamStreak();
  private long streamingSinceNanos = -1;
  private long generation;

  /**
   * For the logical source: its {@link ConnectionActor}s, its {@link SourceActor} told of FATAL.
   */
  public static Behavior<Command> create(
      SourceSettings settings,
      ActorRef<StatusMonitor.Command> monitor,
      ActorRef<SourceActor.Command> source,
      AtomicLong reconnects,
      Function<ActorRef<Command>, Behavior<ConnectionActor.Command>> connectionFactory) {
    return create(
        settings,
        monitor,
        error -> source.tell(new SourceActor.Failed(error)),
        reconnects,
        connectionFactory,
        ConnectionActor.Shutdown::new);
  }

  /**
   * For any kind of connection actor (the physical source's too): {@code onFatal} receives the
   * failure when the Restarter gives up, {@code shutdownMessage} makes the message that asks a
   * connection to end cleanly and complete the future.
   */
  public static <C> Behavior<Command> create(
      SourceSettings settings,
      ActorRef<StatusMonitor.Command> monitor,
      Consumer<SourceFailedException> onFatal,
      AtomicLong reconnects,
      Function<ActorRef<Command>, Behavior<C>> connectionFactory,
      Function<CompletableFuture<Void>, C> shutdownMessage) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  Restarter<C> r =
                      new Restarter<>(
                          ctx,
                          timers,
                          settings,
                          monitor,
                          onFatal,
                          reconnects,
                          connectionFactory,
                          shutdownMessage);
                  r.connect();
                  return r;
                }));
  }

  private Restarter(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      SourceSettings settings,
      ActorRef<StatusMonitor.Command> monitor,
      Consumer<SourceFailedException> onFatal,
      AtomicLong reconnects,
      Function<ActorRef<Command>, Behavior<C>> connectionFactory,
      Function<CompletableFuture<Void>, C> shutdownMessage) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.monitor = monitor;
    this.onFatal = onFatal;
    this.reconnects = reconnects;
    this.connectionFactory = connectionFactory;
    this.shutdownMessage = shutdownMessage;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(
            Connect.INSTANCE,
            () -> {
              connect();
              return this;
            })
        .onMessage(
            StreamingStarted.class,
            m -> {
              if (m.connection().equals(connection)) {
                streamingSinceNanos = System.nanoTime();
              }
              return this;
            })
        .onMessage(Shutdown.class, this::onShutdown)
        .onSignal(ChildFailed.class, s -> onConnectionEnded(s.getRef(), s.getCause()))
        .onSignal(Terminated.class, s -> onConnectionEnded(s.getRef(), null))
        .build();
  }

  private void connect() {
    streamingSinceNanos = -1;
    generation++;
    ActorRef<Command> self = getContext().getSelf();
    // The Restarter logs each failure once, with its classification; Pekko's own failure log
    // (an ERROR with a stack trace for every lost connection) would only add noise.
    Behavior<C> supervised =
        Behaviors.supervise(connectionFactory.apply(self))
            .onFailure(SupervisorStrategy.stop().withLoggingEnabled(false));
    connection =
        getContext()
            .spawn(
                supervised,
                "connection-" + generation,
                DispatcherSelector.fromConfig(settings.connectionDispatcher()));
    getContext().watch(connection);
  }

  private Behavior<Command> onConnectionEnded(ActorRef<Void> ref, Throwable cause) {
    if (!ref.equals(connection)) {
      return this;
    }
    connection = null;
    if (cause == null) {
      cause =
          new ClassifiedException(
              ErrorClass.TRANSIENT, "the connection stopped unexpectedly", null, null);
    }
    Classification c =
        ErrorClassifier.classify(
            cause, settings.connection().user(), settings.connection().databaseName());
    c = invalidStreamStreak.escalate(c);
    if (c.errorClass() == ErrorClass.FATAL) {
      // The StatusMonitor logs the FAILED status with this reason; the trace is for debugging only.
      // The SourceActor has the monitor publish FAILED before it fails the stream.
      log.debug("slot {}: giving up", settings.slot().name(), cause);
      onFatal.accept(c.toFailure(cause));
      return Behaviors.stopped();
    }
    if (streamingSinceNanos >= 0
        && System.nanoTime() - streamingSinceNanos >= settings.restart().resetAfter().toNanos()) {
      attempt = 0;
    }
    // The same computation as the cluster singleton's restarts: RestartSettings.delay.
    Duration delay = settings.restart().delay(attempt++, ThreadLocalRandom.current().nextDouble());
    // The monitor first drops what the dead connection claimed (STREAMING), then the reconnect is
    // counted: whoever sees the count move and then asks for ACTIVE waits for the next connection.
    monitor.tell(new StatusMonitor.OwnerTerminated(ref));
    reconnects.incrementAndGet();
    String verb = c.errorClass() == ErrorClass.BUSY ? "retrying" : "reconnecting";
    String reason = c.reason() + "; " + verb + " in " + delay.toMillis() + " ms";
    if (c.errorClass() == ErrorClass.BUSY) {
      log.info("slot {}: {}", settings.slot().name(), reason);
    } else {
      log.warn("slot {}: connection lost: {}", settings.slot().name(), reason);
    }
    monitor.tell(new StatusMonitor.SetReason(reason, waiting(c, delay), getContext().getSelf()));
    timers.startSingleTimer(Connect.INSTANCE, delay);
    return this;
  }

  /**
   * What the source waits for until the next attempt, in fields: the slot's holder, or the error to
   * retry after.
   */
  private static Waiting waiting(Classification c, Duration delay) {
    if (c.errorClass() == ErrorClass.BUSY) {
      Classification.SlotHolder holder = c.holder();
      return new Waiting.SlotBusy(
          holder == null ? OptionalInt.empty() : OptionalInt.of(holder.pid()),
          Optional.ofNullable(holder == null ? null : holder.applicationName()),
          delay);
    }
    return new Waiting.Reconnecting(c.reason(), delay);
  }

  private Behavior<Command> onShutdown(Shutdown m) {
    timers.cancelAll();
    if (connection == null) {
      m.done().complete(null);
      return Behaviors.stopped();
    }
    CompletableFuture<Void> connectionDone = new CompletableFuture<>();
    connection.tell(shutdownMessage.apply(connectionDone));
    connectionDone.whenComplete((v, e) -> m.done().complete(null));
    return Behaviors.receive(Command.class)
        .onSignal(
            Terminated.class,
            s -> {
              m.done().complete(null);
              return Behaviors.stopped();
            })
        .build();
  }
}
