package io.slotkeeper.internal.physical;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.internal.status.StatusMonitor;
import io.slotkeeper.internal.supervision.Restarter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The root of one archiver: its {@link StatusMonitor} and the {@link Restarter} that keeps a {@link
 * PhysicalConnectionActor} alive, both shared with the logical source, and the end of the writing
 * stream. It ends when both the connection side and the writer have ended: on a shutdown (the
 * connection stops reading first, then the writer drains and fsyncs), when the Restarter gives up
 * (FAILED), or when the writer fails (a disk error needs a person: FAILED).
 */
final class ArchiveActor extends AbstractBehavior<ArchiveActor.Command> {
  interface Command {}

  record Shutdown(CompletableFuture<Void> done) implements Command {}

  private record Failed(SourceFailedException error) implements Command {}

  private record WriterEnded(Throwable failure) implements Command {}

  private enum RestarterGone implements Command {
    INSTANCE
  }

  private enum Published implements Command {
    INSTANCE
  }

  private final WalPipe pipe;
  private final ActorRef<StatusMonitor.Command> monitor;
  private final ActorRef<Restarter.Command> restarter;
  private final Runnable onStopped;
  private final List<CompletableFuture<Void>> shutdowns = new ArrayList<>();
  private boolean restarterAlive = true;
  private boolean writerEnded;
  private boolean terminal;
  private boolean finishing;

  /** A shutdown was asked for, or the Restarter ended: the writer is expected to end now. */
  private boolean writerMayEnd;

  static Behavior<Command> create(
      ArchiveSettings settings,
      ArchiveState state,
      WalPipe pipe,
      CompletionStage<Done> writerDone,
      CompletableFuture<ActorRef<StatusMonitor.Command>> monitorRef,
      Runnable onStopped) {
    return Behaviors.setup(
        ctx -> {
          String name = settings.slotName().isEmpty() ? "archive" : settings.slotName();
          ActorRef<StatusMonitor.Command> monitor =
              ctx.spawn(StatusMonitor.create(name, state.status, Clock.systemUTC()), "status");
          ActorRef<Command> self = ctx.getSelf();
          ActorRef<Restarter.Command> restarter =
              ctx.spawn(
                  Restarter.create(
                      settings.source(),
                      monitor,
                      error -> self.tell(new Failed(error)),
                      state.reconnects,
                      r -> PhysicalConnectionActor.create(settings, state, pipe, monitor, r),
                      PhysicalConnectionActor.Shutdown::new),
                  "restarter");
          ctx.watchWith(restarter, RestarterGone.INSTANCE);
          ctx.pipeToSelf(writerDone, (d, failure) -> new WriterEnded(failure));
          monitorRef.complete(monitor);
          return new ArchiveActor(ctx, pipe, monitor, restarter, onStopped);
        });
  }

  private ArchiveActor(
      ActorContext<Command> ctx,
      WalPipe pipe,
      ActorRef<StatusMonitor.Command> monitor,
      ActorRef<Restarter.Command> restarter,
      Runnable onStopped) {
    super(ctx);
    this.pipe = pipe;
    this.monitor = monitor;
    this.restarter = restarter;
    this.onStopped = onStopped;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Shutdown.class, this::onShutdown)
        .onMessage(Failed.class, this::onFailed)
        .onMessage(WriterEnded.class, this::onWriterEnded)
        .onMessageEquals(RestarterGone.INSTANCE, this::onRestarterGone)
        .onMessageEquals(Published.INSTANCE, () -> Behaviors.stopped())
        .onSignal(
            PostStop.class,
            s -> {
              shutdowns.forEach(f -> f.complete(null));
              onStopped.run();
              return this;
            })
        .build();
  }

  private Behavior<Command> onShutdown(Shutdown m) {
    shutdowns.add(m.done());
    writerMayEnd = true;
    stopConnection();
    return maybeFinish();
  }

  /** The Restarter gave up; it stops by itself, then the writer is told to finish. */
  private Behavior<Command> onFailed(Failed m) {
    fail(new StatusMonitor.Fail(m.error(), new CompletableFuture<>()));
    return this;
  }

  private Behavior<Command> onWriterEnded(WriterEnded m) {
    writerEnded = true;
    if (!terminal && (m.failure() != null || !writerMayEnd)) {
      String reason =
          m.failure() == null
              ? "the archive's writer stopped unexpectedly"
              : "writing the archive failed: " + m.failure().getMessage();
      fail(new StatusMonitor.Fail(reason, m.failure()));
    }
    stopConnection();
    return maybeFinish();
  }

  private Behavior<Command> onRestarterGone() {
    restarterAlive = false;
    writerMayEnd = true;
    if (!writerEnded) {
      pipe.complete(); // nothing more comes: the writer fsyncs what it holds and ends
    }
    return maybeFinish();
  }

  private void fail(StatusMonitor.Fail fail) {
    terminal = true;
    monitor.tell(fail);
  }

  private void stopConnection() {
    if (restarterAlive) {
      restarter.tell(new Restarter.Shutdown(new CompletableFuture<>()));
    }
  }

  /** Once both sides ended: publish STOPPED (unless FAILED) and stop after the monitor said so. */
  private Behavior<Command> maybeFinish() {
    if (restarterAlive || !writerEnded || finishing) {
      return this;
    }
    finishing = true;
    CompletableFuture<Void> published = new CompletableFuture<>();
    if (terminal) {
      // FAILED is published (or being published); Stopped after a terminal status changes nothing
      // but answers once the monitor has handled everything before it.
      monitor.tell(new StatusMonitor.Stopped("archive stopped", published));
    } else {
      terminal = true;
      monitor.tell(new StatusMonitor.Stopped("archive shut down", published));
    }
    getContext().pipeToSelf(published, (v, e) -> Published.INSTANCE);
    return this;
  }
}
