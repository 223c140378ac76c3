package io.slotkeeper.internal.status;

import io.slotkeeper.FailureKind;
import io.slotkeeper.InternalApi;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns a source's status. Actors report <em>conditions</em> they own (database reachable, slot
 * ready, streaming); the level is derived from the conditions that hold. A condition is tied to the
 * actor that set it: when that actor stops (a ConnectionActor dying with its connection), the
 * monitor watches it go and clears its conditions, so the status can never claim a stream that no
 * longer exists.
 *
 * <p>Waiters are completed from status changes, never by polling; each waiter has its own future,
 * so no completion can reach the wrong caller.
 */
@InternalApi
public final class StatusMonitor extends AbstractBehavior<StatusMonitor.Command> {

  /** Facts that together decide the level. */
  public enum Condition {
    DATABASE_REACHABLE,
    SLOT_READY,
    STREAMING
  }

  public interface Command {}

  /** Sets or clears {@code condition}, owned by {@code owner}. */
  public record SetCondition(Condition condition, boolean holds, ActorRef<?> owner)
      implements Command {}

  /**
   * Replaces the reason text and what the source waits for ({@code waiting}, null when it waits for
   * nothing a person may act on); both are cleared when {@code owner} stops.
   */
  public record SetReason(String reason, Waiting waiting, ActorRef<?> owner) implements Command {
    public SetReason(String reason, ActorRef<?> owner) {
      this(reason, null, owner);
    }
  }

  /**
   * Sets the words of work that runs beside the stream (a backfill), shown after the reason ({@code
   * reason; detail}) and kept when the reason changes, so that a reconnect's "streaming from slot"
   * does not erase what that work said (a table whose backfill ended, say). Cleared when {@code
   * owner} stops, or by an empty {@code detail}.
   */
  public record SetDetail(String detail, ActorRef<?> owner) implements Command {}

  /**
   * Terminal failure: the level becomes FAILED and stays there, with {@code reason} and the
   * structured {@code error} (whose message the reason is). {@code published} completes once the
   * status says so (at once if the source was already terminal).
   */
  public record Fail(
      String reason,
      Throwable cause,
      SourceFailedException error,
      CompletableFuture<Void> published)
      implements Command {
    /**
     * The failure the stream fails with: its message is the reason, its cause the original error.
     */
    public Fail(SourceFailedException error, CompletableFuture<Void> published) {
      this(error.getMessage(), error.getCause(), error, published);
    }

    /** A failure known only by its words. */
    public Fail(String reason, Throwable cause) {
      this(reason, cause, new SourceFailedException(reason, cause), new CompletableFuture<>());
    }
  }

  /** The source was shut down: STOPPED, terminal. */
  public record Stopped(String reason, CompletableFuture<Void> published) implements Command {}

  /** Completes {@code result} once the level is reached; exceptionally on FAILED or STOPPED. */
  public record WaitUntil(StatusLevel level, CompletableFuture<SourceStatus> result)
      implements Command {}

  public record Subscribe(long id, Consumer<SourceStatus> listener) implements Command {}

  public record Unsubscribe(long id) implements Command {}

  /**
   * {@code owner} has stopped: clear the conditions and reason it reported. The monitor watches
   * every owner and learns this by itself, but a supervisor that sees the death first (the
   * Restarter) sends it too, before it counts the reconnect: otherwise a reader who sees the count
   * move could still be told ACTIVE by the dead connection's condition.
   */
  public record OwnerTerminated(ActorRef<?> owner) implements Command {}

  private record Waiter(StatusLevel level, CompletableFuture<SourceStatus> result) {}

  private static final Logger log = LoggerFactory.getLogger(StatusMonitor.class);

  private final String sourceName;
  private final AtomicReference<SourceStatus> published;
  private final Clock clock;
  private final Map<Condition, ActorRef<?>> conditions = new EnumMap<>(Condition.class);
  private final Set<ActorRef<?>> watched = new HashSet<>();
  private final Map<Long, Waiter> waiters = new HashMap<>();
  private final Map<Long, Consumer<SourceStatus>> listeners = new LinkedHashMap<>();
  private long nextWaiterId;
  private String reason = "";

  /** What the reason's owner says the source waits for; null when nothing. */
  private Waiting waiting;

  private ActorRef<?> reasonOwner;

  /** What work beside the stream says (see {@link SetDetail}); empty when nothing. */
  private String detail = "";

  private ActorRef<?> detailOwner;
  private boolean terminal;
  private SourceStatus current;

  /**
   * @param published receives every new status, so callers can read the latest one without asking
   *     the actor
   */
  public static Behavior<Command> create(
      String sourceName, AtomicReference<SourceStatus> published, Clock clock) {
    return Behaviors.setup(ctx -> new StatusMonitor(ctx, sourceName, published, clock));
  }

  private StatusMonitor(
      ActorContext<Command> ctx,
      String sourceName,
      AtomicReference<SourceStatus> published,
      Clock clock) {
    super(ctx);
    this.sourceName = sourceName;
    this.published = published;
    this.clock = clock;
    this.current = new SourceStatus(StatusLevel.STARTING, "starting", clock.instant(), null);
    published.set(current);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(SetCondition.class, this::onSetCondition)
        .onMessage(SetReason.class, this::onSetReason)
        .onMessage(SetDetail.class, this::onSetDetail)
        .onMessage(Fail.class, this::onFail)
        .onMessage(Stopped.class, this::onStopped)
        .onMessage(WaitUntil.class, this::onWaitUntil)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(
            Unsubscribe.class,
            m -> {
              listeners.remove(m.id());
              return this;
            })
        .onMessage(OwnerTerminated.class, this::onOwnerTerminated)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onSetCondition(SetCondition m) {
    if (terminal) {
      return this;
    }
    watch(m.owner());
    if (m.holds()) {
      conditions.put(m.condition(), m.owner());
    } else {
      conditions.remove(m.condition(), m.owner());
    }
    refresh();
    return this;
  }

  private Behavior<Command> onSetReason(SetReason m) {
    if (terminal) {
      return this;
    }
    watch(m.owner());
    reason = m.reason() == null ? "" : m.reason();
    waiting = m.waiting();
    reasonOwner = m.owner();
    refresh();
    return this;
  }

  private Behavior<Command> onSetDetail(SetDetail m) {
    if (terminal) {
      return this;
    }
    watch(m.owner());
    detail = m.detail() == null ? "" : m.detail();
    detailOwner = m.owner();
    refresh();
    return this;
  }

  private Behavior<Command> onFail(Fail m) {
    if (terminal) {
      m.published().complete(null);
      return this;
    }
    terminal = true;
    conditions.clear();
    reason = m.reason();
    waiting = null;
    current =
        new SourceStatus(StatusLevel.FAILED, reason, clock.instant(), m.cause(), m.error(), null);
    log.error("source {} FAILED: {}", sourceName, reason);
    publish();
    m.published().complete(null);
    return this;
  }

  private Behavior<Command> onStopped(Stopped m) {
    if (terminal) {
      // Already FAILED (or stopped): that status stays, but the caller still needs its answer.
      m.published().complete(null);
      return this;
    }
    terminal = true;
    conditions.clear();
    reason = m.reason();
    current = new SourceStatus(StatusLevel.STOPPED, reason, clock.instant(), null);
    publish();
    m.published().complete(null);
    return this;
  }

  private Behavior<Command> onWaitUntil(WaitUntil m) {
    Waiter waiter = new Waiter(m.level(), m.result());
    if (!settle(sourceName, current, waiter.level(), waiter.result())) {
      waiters.put(nextWaiterId++, waiter);
    }
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe m) {
    listeners.put(m.id(), m.listener());
    notifyListener(m.listener(), current);
    return this;
  }

  private Behavior<Command> onOwnerTerminated(OwnerTerminated m) {
    watched.remove(m.owner());
    if (terminal) {
      return this;
    }
    boolean changed = conditions.values().removeIf(owner -> owner.equals(m.owner()));
    if (m.owner().equals(reasonOwner)) {
      // The owner's words described work it no longer does.
      reasonOwner = null;
      reason = "the actor that reported '" + reason + "' has stopped";
      waiting = null;
      changed = true;
    }
    if (m.owner().equals(detailOwner)) {
      detailOwner = null;
      detail = "";
      changed = true;
    }
    if (changed) {
      refresh();
    }
    return this;
  }

  /**
   * Stopped without {@link Stopped} or {@link Fail}: the actor system terminated under a running
   * source (or its SourceActor died). The published status must not go on claiming a live stream,
   * and nobody is left to answer the waiters.
   */
  private Behavior<Command> onPostStop() {
    if (!terminal) {
      terminal = true;
      conditions.clear();
      reason = "the source stopped without a shutdown (was its actor system terminated?)";
      current = new SourceStatus(StatusLevel.STOPPED, reason, clock.instant(), null);
      log.warn("source {} {}", sourceName, reason);
      publish();
    }
    return this;
  }

  private void watch(ActorRef<?> owner) {
    if (owner != null && watched.add(owner)) {
      getContext().watchWith(owner, new OwnerTerminated(owner));
    }
  }

  /** Recomputes the level; publishes when the level or reason changed. */
  private void refresh() {
    StatusLevel level;
    if (conditions.containsKey(Condition.STREAMING)) {
      level = StatusLevel.ACTIVE;
    } else if (conditions.containsKey(Condition.DATABASE_REACHABLE)
        && conditions.containsKey(Condition.SLOT_READY)) {
      level = StatusLevel.READY;
    } else {
      level = StatusLevel.STARTING;
    }
    // Every wait (blocked creation, busy slot, reconnecting) happens while STARTING; a READY set
    // before the next reason must not go on saying that creation is blocked.
    Waiting shown = level == StatusLevel.STARTING ? waiting : null;
    String said = detail.isEmpty() ? reason : reason.isEmpty() ? detail : reason + "; " + detail;
    if (level == current.level()
        && said.equals(current.reason())
        && Objects.equals(shown, current.waiting().orElse(null))) {
      return;
    }
    Instant since = level == current.level() ? current.since() : clock.instant();
    current = new SourceStatus(level, said, since, null, null, shown);
    log.info("source {} is {}", sourceName, current);
    publish();
  }

  private void publish() {
    published.set(current);
    // Waiters that timed out on the caller's side are done already: drop them too.
    waiters
        .values()
        .removeIf(w -> w.result().isDone() || settle(sourceName, current, w.level(), w.result()));
    for (Consumer<SourceStatus> listener : List.copyOf(listeners.values())) {
      notifyListener(listener, current);
    }
  }

  /**
   * Completes {@code result} if {@code status} decides a wait for {@code wanted}; returns whether
   * it did. Shared with the caller's side, which settles waits itself once the status is terminal
   * (the monitor may be gone by then).
   */
  public static boolean settle(
      String sourceName,
      SourceStatus status,
      StatusLevel wanted,
      CompletableFuture<SourceStatus> result) {
    if (status.level().reaches(wanted)) {
      result.complete(status);
      return true;
    }
    if (status.level() == StatusLevel.FAILED) {
      String context = "source " + sourceName + " failed: ";
      // The same failure with the source named: its kind and fix stay fields for the waiter too.
      result.completeExceptionally(
          status
              .error()
              .map(e -> e.withContext(context))
              .orElseGet(
                  () ->
                      new SourceFailedException(
                          context + status.reason(), status.failure().orElse(null))));
      return true;
    }
    if (status.level() == StatusLevel.STOPPED) {
      result.completeExceptionally(
          new SourceFailedException(
              FailureKind.STOPPED,
              "source "
                  + sourceName
                  + " stopped before reaching "
                  + wanted
                  + ": "
                  + status.reason(),
              null,
              null,
              null));
      return true;
    }
    return false;
  }

  private void notifyListener(Consumer<SourceStatus> listener, SourceStatus status) {
    try {
      listener.accept(status);
    } catch (Throwable e) {
      // A listener's bug must not take the status of the whole source down with it: not an
      // exception, and not an Error either (a test's AssertionError, a StackOverflowError from a
      // recursive listener, a NoClassDefFoundError), or the status would freeze and a shutdown
      // would wait for ever. Only a JVM in trouble (out of memory, an internal error) goes on, to
      // Pekko, which stops the JVM for it (pekko.jvm-exit-on-fatal-error).
      if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
        throw (VirtualMachineError) e;
      }
      log.warn("status listener of source {} threw", sourceName, e);
    }
  }
}
