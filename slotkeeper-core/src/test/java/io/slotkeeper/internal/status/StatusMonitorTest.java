package io.slotkeeper.internal.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StatusMonitorTest {
  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private final AtomicReference<SourceStatus> published = new AtomicReference<>();
  private final ActorRef<StatusMonitor.Command> monitor =
      kit.spawn(StatusMonitor.create("test", published, Clock.systemUTC()));

  private static <T> ActorRef<T> owner() {
    return kit.spawn(Behaviors.<T>ignore());
  }

  private CompletableFuture<SourceStatus> waitFor(StatusLevel level) {
    CompletableFuture<SourceStatus> f = new CompletableFuture<>();
    monitor.tell(new StatusMonitor.WaitUntil(level, f));
    return f;
  }

  private static Throwable failureOf(CompletableFuture<?> f) throws Exception {
    try {
      f.get(5, TimeUnit.SECONDS);
      throw new AssertionError("expected failure, got " + f.get());
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void levelFollowsConditionsAndManyWaitersCompleteEachWithItsOwnResult() throws Exception {
    ActorRef<Object> conn = owner();
    List<CompletableFuture<SourceStatus>> readyWaiters = new ArrayList<>();
    List<CompletableFuture<SourceStatus>> activeWaiters = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      readyWaiters.add(waitFor(StatusLevel.READY));
      activeWaiters.add(waitFor(StatusLevel.ACTIVE));
    }
    monitor.tell(
        new StatusMonitor.SetCondition(StatusMonitor.Condition.DATABASE_REACHABLE, true, conn));
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.SLOT_READY, true, conn));
    for (CompletableFuture<SourceStatus> f : readyWaiters) {
      assertThat(f.get(5, TimeUnit.SECONDS).level()).isEqualTo(StatusLevel.READY);
    }
    assertThat(activeWaiters).noneMatch(CompletableFuture::isDone);

    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.STREAMING, true, conn));
    for (CompletableFuture<SourceStatus> f : activeWaiters) {
      assertThat(f.get(5, TimeUnit.SECONDS).level()).isEqualTo(StatusLevel.ACTIVE);
    }
    assertThat(published.get().level()).isEqualTo(StatusLevel.ACTIVE);
    // Already reached: completes at once.
    assertThat(waitFor(StatusLevel.READY).get(5, TimeUnit.SECONDS).level())
        .isEqualTo(StatusLevel.ACTIVE);
  }

  @Test
  void conditionsClearWhenTheirOwnerStops() throws Exception {
    ActorRef<Object> conn = owner();
    monitor.tell(
        new StatusMonitor.SetCondition(StatusMonitor.Condition.DATABASE_REACHABLE, true, conn));
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.SLOT_READY, true, conn));
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.STREAMING, true, conn));
    monitor.tell(new StatusMonitor.SetReason("streaming", conn));
    waitFor(StatusLevel.ACTIVE).get(5, TimeUnit.SECONDS);

    List<SourceStatus> seen = new CopyOnWriteArrayList<>();
    monitor.tell(new StatusMonitor.Subscribe(1, seen::add));
    kit.stop(conn);
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(published.get().level()).isEqualTo(StatusLevel.STARTING);
              return null;
            });
    assertThat(seen)
        .extracting(SourceStatus::level)
        .containsSubsequence(StatusLevel.ACTIVE, StatusLevel.STARTING);

    // A new owner brings it back; a waiter registered while STARTING sees ACTIVE again.
    CompletableFuture<SourceStatus> again = waitFor(StatusLevel.ACTIVE);
    ActorRef<Object> next = owner();
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.STREAMING, true, next));
    assertThat(again.get(5, TimeUnit.SECONDS).level()).isEqualTo(StatusLevel.ACTIVE);
  }

  @Test
  void failedCompletesEveryWaiterExceptionallyAndIsTerminal() throws Exception {
    CompletableFuture<SourceStatus> a = waitFor(StatusLevel.ACTIVE);
    CompletableFuture<SourceStatus> b = waitFor(StatusLevel.READY);
    IllegalStateException cause = new IllegalStateException("boom");
    monitor.tell(new StatusMonitor.Fail("wal_level is replica. Fix: set it to logical", cause));
    for (CompletableFuture<SourceStatus> f : List.of(a, b)) {
      Throwable t = failureOf(f);
      assertThat(t)
          .isInstanceOf(SourceFailedException.class)
          .hasMessageContaining("wal_level")
          .hasCause(cause);
    }
    // Later conditions cannot revive a failed source, and later waiters fail at once.
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.STREAMING, true, owner()));
    assertThat(failureOf(waitFor(StatusLevel.ACTIVE))).isInstanceOf(SourceFailedException.class);
    assertThat(published.get().level()).isEqualTo(StatusLevel.FAILED);
    assertThat(published.get().failure()).contains(cause);
    // Shutting down a failed source keeps FAILED but still answers the shutdown.
    CompletableFuture<Void> ack = new CompletableFuture<>();
    monitor.tell(new StatusMonitor.Stopped("shut down", ack));
    ack.get(5, TimeUnit.SECONDS);
    assertThat(published.get().level()).isEqualTo(StatusLevel.FAILED);
  }

  @Test
  void stoppedFailsWaitersThatCanNoLongerBeSatisfied() throws Exception {
    CompletableFuture<SourceStatus> a = waitFor(StatusLevel.ACTIVE);
    CompletableFuture<Void> ack = new CompletableFuture<>();
    monitor.tell(new StatusMonitor.Stopped("shut down", ack));
    ack.get(5, TimeUnit.SECONDS);
    assertThat(failureOf(a))
        .isInstanceOf(SourceFailedException.class)
        .hasMessageContaining("stopped");
    assertThat(published.get().level()).isEqualTo(StatusLevel.STOPPED);
  }

  @Test
  void aThrowingListenerDoesNotBreakOthers() throws Exception {
    List<SourceStatus> seen = new CopyOnWriteArrayList<>();
    monitor.tell(
        new StatusMonitor.Subscribe(
            1,
            s -> {
              throw new RuntimeException("listener bug");
            }));
    monitor.tell(new StatusMonitor.Subscribe(2, seen::add));
    monitor.tell(new StatusMonitor.SetReason("connecting", owner()));
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(seen).extracting(SourceStatus::reason).contains("connecting");
              return null;
            });
  }

  @Test
  void aListenerThrowingAnErrorDoesNotStopTheMonitor() throws Exception {
    List<SourceStatus> seen = new CopyOnWriteArrayList<>();
    monitor.tell(
        new StatusMonitor.Subscribe(
            1,
            s -> {
              throw new AssertionError("a test's assertion inside a listener");
            }));
    monitor.tell(
        new StatusMonitor.Subscribe(
            2,
            s -> {
              throw new StackOverflowError();
            }));
    monitor.tell(new StatusMonitor.Subscribe(3, seen::add));
    ActorRef<Object> conn = owner();
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.STREAMING, true, conn));
    // The status keeps moving, other listeners and waiters are served, and a shutdown is answered.
    assertThat(waitFor(StatusLevel.ACTIVE).get(5, TimeUnit.SECONDS).level())
        .isEqualTo(StatusLevel.ACTIVE);
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(seen).extracting(SourceStatus::level).contains(StatusLevel.ACTIVE);
              return null;
            });
    CompletableFuture<Void> ack = new CompletableFuture<>();
    monitor.tell(new StatusMonitor.Stopped("shut down", ack));
    ack.get(5, TimeUnit.SECONDS);
    assertThat(published.get().level()).isEqualTo(StatusLevel.STOPPED);
  }

  @Test
  void stoppingWithoutAShutdownPublishesStoppedAndFailsWaiters() throws Exception {
    // What happens when the actor system terminates under a running source: no Stopped message,
    // just the actor stopping. Nobody may go on reading ACTIVE.
    ActorRef<Object> conn = owner();
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.STREAMING, true, conn));
    waitFor(StatusLevel.ACTIVE).get(5, TimeUnit.SECONDS);
    // Pending while ACTIVE; after the stop nothing can decide it but the stop itself.
    CompletableFuture<SourceStatus> pending = waitFor(StatusLevel.FAILED);
    // The monitor handles its mailbox in order: once this later wait is answered, the pending one
    // is registered. Stopping before that would drop it unread (a message to a stopped actor).
    waitFor(StatusLevel.ACTIVE).get(5, TimeUnit.SECONDS);
    kit.stop(monitor);
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(published.get().level()).isEqualTo(StatusLevel.STOPPED);
              return null;
            });
    assertThat(published.get().reason()).contains("without a shutdown");
    assertThat(failureOf(pending))
        .isInstanceOf(SourceFailedException.class)
        .hasMessageContaining("stopped");
  }

  @Test
  void whatTheSourceWaitsForIsPublishedWhileStartingAndEndsWithItsOwner() throws Exception {
    ActorRef<Object> restarter = owner();
    Waiting busy =
        new Waiting.SlotBusy(OptionalInt.of(7), Optional.of("other"), Duration.ofMillis(200));
    monitor.tell(
        new StatusMonitor.SetReason(
            "slot is active for PID 7; retrying in 200 ms", busy, restarter));
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(published.get().waiting()).contains(busy);
              return null;
            });
    // A reason without a wait (the next attempt connecting) ends it.
    ActorRef<Object> conn = owner();
    monitor.tell(new StatusMonitor.SetReason("connecting", conn));
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(published.get().reason()).isEqualTo("connecting");
              assertThat(published.get().waiting()).isEmpty();
              return null;
            });
    // A wait is shown only while STARTING: a slot found ready does not go on waiting for creation.
    Waiting blocked =
        new Waiting.CreationBlocked(
            List.of(42), new Waiting.HealOutcomes(1, 1, 0, 0), Duration.ofSeconds(1));
    ActorRef<Object> admin = owner();
    monitor.tell(
        new StatusMonitor.SetReason("creating replication slot s: waiting", blocked, admin));
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(published.get().waiting()).contains(blocked);
              return null;
            });
    monitor.tell(
        new StatusMonitor.SetCondition(StatusMonitor.Condition.DATABASE_REACHABLE, true, conn));
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.SLOT_READY, true, conn));
    SourceStatus ready = waitFor(StatusLevel.READY).get(5, TimeUnit.SECONDS);
    assertThat(ready.waiting()).isEmpty();
    // The owner's end clears its wait with its reason.
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.SLOT_READY, false, conn));
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(published.get().level()).isEqualTo(StatusLevel.STARTING);
              assertThat(published.get().waiting()).contains(blocked);
              return null;
            });
    kit.stop(admin);
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(published.get().reason()).contains("has stopped");
              assertThat(published.get().waiting()).isEmpty();
              return null;
            });
  }

  @Test
  void whatWorkBesideTheStreamSaysOutlivesLaterReasonsAndEndsWithItsOwner() throws Exception {
    ActorRef<Object> backfill = owner();
    monitor.tell(
        new StatusMonitor.SetDetail(
            "backfill done: public.b 1 chunks, 3 rows (0 from the stream), 0 s; ended public.a:"
                + " dropped",
            backfill));
    // A reconnect's reason, sent after the backfill's words, must not erase them.
    ActorRef<Object> conn = owner();
    monitor.tell(new StatusMonitor.SetReason("streaming from slot s", conn));
    monitor.tell(new StatusMonitor.SetCondition(StatusMonitor.Condition.STREAMING, true, conn));
    SourceStatus active = waitFor(StatusLevel.ACTIVE).get(5, TimeUnit.SECONDS);
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(published.get().reason())
                  .isEqualTo(
                      "streaming from slot s; backfill done: public.b 1 chunks, 3 rows (0 from the"
                          + " stream), 0 s; ended public.a: dropped");
              return null;
            });
    assertThat(active.reason()).startsWith("streaming from slot s");
    kit.stop(backfill);
    kit.createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(5),
            () -> {
              assertThat(published.get().reason()).isEqualTo("streaming from slot s");
              return null;
            });
  }

  @Test
  void aFailedStatusCarriesTheStructuredFailureAndWaitersGetItsKind() throws Exception {
    CompletableFuture<SourceStatus> a = waitFor(StatusLevel.ACTIVE);
    IllegalStateException cause = new IllegalStateException("boom");
    SourceFailedException error =
        new SourceFailedException(
            FailureKind.WAL_LEVEL, "wal_level is replica", "set it to logical", null, cause);
    monitor.tell(new StatusMonitor.Fail(error, new CompletableFuture<>()));
    Throwable t = failureOf(a);
    assertThat(t)
        .isInstanceOf(SourceFailedException.class)
        .hasMessage("source test failed: wal_level is replica. Fix: set it to logical")
        .hasCause(cause);
    SourceFailedException f = (SourceFailedException) t;
    assertThat(f.kind()).isEqualTo(FailureKind.WAL_LEVEL);
    assertThat(f.remediation()).isEqualTo("set it to logical");
    SourceStatus failed = published.get();
    assertThat(failed.reason()).isEqualTo(error.getMessage());
    assertThat(failed.failure()).contains(cause);
    assertThat(failed.error()).contains(error);
  }

  @Test
  void aWaiterOfAStoppedSourceIsToldItStopped() throws Exception {
    CompletableFuture<SourceStatus> a = waitFor(StatusLevel.ACTIVE);
    monitor.tell(new StatusMonitor.Stopped("shut down", new CompletableFuture<>()));
    assertThat(((SourceFailedException) failureOf(a)).kind()).isEqualTo(FailureKind.STOPPED);
  }
}
