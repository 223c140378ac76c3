package io.slotkeeper.internal.stage;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.source.SourceActor;
import io.slotkeeper.internal.source.SourceState;
import io.slotkeeper.internal.status.StatusMonitor;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Waits through the Control: timeouts, and waits that arrive after the source has ended. */
class ControlImplTest {
  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static Throwable failureOf(java.util.concurrent.CompletionStage<?> stage)
      throws Exception {
    try {
      stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private static ControlImpl started(SourceState state, ActorRef<StatusMonitor.Command> monitor) {
    ControlImpl control = new ControlImpl("src", state);
    ActorRef<SourceActor.Command> source = kit.spawn(Behaviors.<SourceActor.Command>ignore());
    control.refs().complete(new SourceActor.Refs(source, monitor));
    return control;
  }

  @Test
  void aWaitTimesOutWithTheCurrentStatusInItsMessage() throws Exception {
    SourceState state = new SourceState();
    ActorRef<StatusMonitor.Command> monitor =
        kit.spawn(StatusMonitor.create("src", state.status, Clock.systemUTC()));
    ControlImpl control = started(state, monitor);
    Throwable t = failureOf(control.waitUntil(StatusLevel.ACTIVE, Duration.ofMillis(200)));
    assertThat(t)
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("did not reach ACTIVE")
        .hasMessageContaining("STARTING");
  }

  @Test
  void waitsAfterTheMonitorIsGoneAreSettledFromTheLastStatus() throws Exception {
    SourceState state = new SourceState();
    ActorRef<StatusMonitor.Command> monitor =
        kit.spawn(StatusMonitor.create("src", state.status, Clock.systemUTC()));
    ControlImpl control = started(state, monitor);
    monitor.tell(new StatusMonitor.Fail("wal_level is replica. Fix: set it", null));
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(control.status().level()).isEqualTo(StatusLevel.FAILED);
              return null;
            });
    kit.stop(monitor);
    Throwable t = failureOf(control.waitUntil(StatusLevel.READY, Duration.ofSeconds(30)));
    assertThat(t).isInstanceOf(SourceFailedException.class).hasMessageContaining("wal_level");
  }

  @Test
  void concurrentWaitersEachGetTheirOwnAnswer() throws Exception {
    SourceState state = new SourceState();
    ActorRef<StatusMonitor.Command> monitor =
        kit.spawn(StatusMonitor.create("src", state.status, Clock.systemUTC()));
    ControlImpl control = started(state, monitor);
    CompletableFuture<SourceStatus> shortWait =
        control.waitUntil(StatusLevel.ACTIVE, Duration.ofMillis(100)).toCompletableFuture();
    CompletableFuture<SourceStatus> longWait =
        control.waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(10)).toCompletableFuture();
    assertThat(failureOf(shortWait)).isInstanceOf(TimeoutException.class);
    ActorRef<Object> owner = kit.spawn(Behaviors.ignore());
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.STREAMING, true, owner));
    assertThat(longWait.get(5, TimeUnit.SECONDS).level()).isEqualTo(StatusLevel.ACTIVE);
  }

  @Test
  void aSubscriptionClosedBeforeTheSourceStartedNeverHearsAnything() throws Exception {
    SourceState state = new SourceState();
    ControlImpl control = new ControlImpl("src", state);
    java.util.List<SourceStatus> leaked = new java.util.concurrent.CopyOnWriteArrayList<>();
    control.subscribe(leaked::add).close();
    // The source starts only now.
    ActorRef<StatusMonitor.Command> monitor =
        kit.spawn(StatusMonitor.create("src", state.status, Clock.systemUTC()));
    control
        .refs()
        .complete(
            new SourceActor.Refs(kit.spawn(Behaviors.<SourceActor.Command>ignore()), monitor));
    java.util.List<SourceStatus> later = new java.util.concurrent.CopyOnWriteArrayList<>();
    control.subscribe(later::add);
    monitor.tell(
        new StatusMonitor.SetCondition(
            StatusMonitor.Condition.STREAMING, true, kit.spawn(Behaviors.ignore())));
    // The monitor handles messages in order: once the later listener saw ACTIVE, a leaked one would
    // have too.
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(later).extracting(SourceStatus::level).contains(StatusLevel.ACTIVE);
              return null;
            });
    assertThat(leaked).isEmpty();
  }

  @Test
  void aSubscriptionClosedWhileTheSourceStartsNeverLeaks() throws Exception {
    // Closing races the registration: whichever wins, the listener must not stay registered.
    for (int i = 0; i < 200; i++) {
      SourceState state = new SourceState();
      ControlImpl control = new ControlImpl("src", state);
      ActorRef<StatusMonitor.Command> monitor =
          kit.spawn(StatusMonitor.create("src", state.status, Clock.systemUTC()));
      java.util.List<SourceStatus> leaked = new java.util.concurrent.CopyOnWriteArrayList<>();
      AutoCloseable handle = control.subscribe(leaked::add);
      CompletableFuture<Void> start =
          CompletableFuture.runAsync(
              () ->
                  control
                      .refs()
                      .complete(
                          new SourceActor.Refs(
                              kit.spawn(Behaviors.<SourceActor.Command>ignore()), monitor)));
      handle.close();
      start.get(5, TimeUnit.SECONDS);
      java.util.List<SourceStatus> later = new java.util.concurrent.CopyOnWriteArrayList<>();
      control.subscribe(later::add);
      monitor.tell(
          new StatusMonitor.SetCondition(
              StatusMonitor.Condition.STREAMING, true, kit.spawn(Behaviors.ignore())));
      kit.createTestProbe()
          .awaitAssert(
              Duration.ofSeconds(5),
              () -> {
                assertThat(later).extracting(SourceStatus::level).contains(StatusLevel.ACTIVE);
                return null;
              });
      // It may have heard STARTING before it was closed, but nothing set after the close.
      assertThat(leaked)
          .as("round " + i)
          .extracting(SourceStatus::level)
          .doesNotContain(StatusLevel.ACTIVE);
      kit.stop(monitor);
    }
  }
}
