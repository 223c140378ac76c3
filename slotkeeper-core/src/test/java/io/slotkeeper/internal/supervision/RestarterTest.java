package io.slotkeeper.internal.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.Waiting;
import io.slotkeeper.internal.connection.ConnectionActor;
import io.slotkeeper.internal.source.SourceActor;
import io.slotkeeper.internal.status.StatusMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The Restarter's decisions, with stand-in connections that fail on purpose. */
class RestarterTest {
  private static final ActorTestKit kit = ActorTestKit.create();
  private static final Pattern DELAY = Pattern.compile("in (\\d+) ms$");

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private static SourceSettings settings() {
    return SourceSettings.create(
            ConfigFactory.parseString(
                "url = \"jdbc:postgresql://h/db\", user = u, slot-name = s, publications = [p],"
                    + " connection-dispatcher = \"pekko.actor.default-dispatcher\""))
        .withRestartBackoff(Duration.ofMillis(20), Duration.ofMillis(200), 0);
  }

  /** A connection that optionally reports streaming, then fails with {@code error}. */
  private static Behavior<ConnectionActor.Command> failing(
      ActorRef<Restarter.Command> restarter, boolean streamFirst, RuntimeException error) {
    return Behaviors.setup(
        ctx -> {
          if (streamFirst) {
            restarter.tell(new Restarter.StreamingStarted(ctx.getSelf()));
          }
          ctx.getSelf().tell(new ConnectionActor.Read(1));
          return Behaviors.receiveMessage(
              m -> {
                throw error;
              });
        });
  }

  /** The back-off delays the Restarter announced in the status, in order. */
  private static List<Long> delays(TestProbe<StatusMonitor.Command> monitor, int count) {
    List<Long> out = new ArrayList<>();
    while (out.size() < count) {
      StatusMonitor.Command c = monitor.receiveMessage(Duration.ofSeconds(5));
      if (c instanceof StatusMonitor.SetReason r) {
        Matcher m = DELAY.matcher(r.reason());
        if (m.find()) {
          out.add(Long.parseLong(m.group(1)));
        }
      }
    }
    return out;
  }

  @Test
  void transientErrorsBackOffExponentiallyUpToTheCap() {
    TestProbe<StatusMonitor.Command> monitor = kit.createTestProbe();
    TestProbe<SourceActor.Command> source = kit.createTestProbe();
    AtomicLong reconnects = new AtomicLong();
    RuntimeException lost =
        new ClassifiedException(ErrorClass.TRANSIENT, "connection reset", null, null);
    kit.spawn(
        Restarter.create(
            settings(),
            monitor.getRef(),
            source.getRef(),
            reconnects,
            r -> failing(r, false, lost)));
    assertThat(delays(monitor, 6)).containsExactly(20L, 40L, 80L, 160L, 200L, 200L);
    assertThat(reconnects.get()).isGreaterThanOrEqualTo(6);
    source.expectNoMessage(Duration.ofMillis(50));
  }

  @Test
  void theBackOffResetsAfterStreamingLongEnough() {
    TestProbe<StatusMonitor.Command> monitor = kit.createTestProbe();
    TestProbe<SourceActor.Command> source = kit.createTestProbe();
    RuntimeException lost =
        new ClassifiedException(ErrorClass.TRANSIENT, "walsender terminated", null, null);
    kit.spawn(
        Restarter.create(
            settings().withRestartResetAfter(Duration.ZERO),
            monitor.getRef(),
            source.getRef(),
            new AtomicLong(),
            r -> failing(r, true, lost)));
    assertThat(delays(monitor, 4)).containsOnly(20L);
  }

  /**
   * The monitor would notice the dead connection through its own watch, but possibly only after the
   * Restarter counted the reconnect; a reader who saw the count move and then waited for ACTIVE was
   * answered by the dead connection's STREAMING (SlotInvalidationIT's flake). The Restarter must
   * tell the monitor before the count moves.
   */
  @Test
  void theMonitorDropsALostConnectionsConditionsBeforeTheReconnectIsCounted() throws Exception {
    AtomicLong reconnects = new AtomicLong();
    TestProbe<StatusMonitor.Command> monitor = kit.createTestProbe();
    TestProbe<SourceActor.Command> source = kit.createTestProbe();
    RuntimeException lost =
        new ClassifiedException(ErrorClass.TRANSIENT, "walsender terminated", null, null);
    kit.spawn(
        Restarter.create(
            settings(),
            monitor.getRef(),
            source.getRef(),
            reconnects,
            r -> failing(r, true, lost)));
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (reconnects.get() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    // Whatever a reader sends the monitor after seeing the count (a WaitUntil) queues behind the
    // loss.
    StatusMonitor.Command marker = new StatusMonitor.Unsubscribe(-1);
    monitor.getRef().tell(marker);
    StatusMonitor.Command first =
        monitor
            .fishForMessage(
                Duration.ofSeconds(5),
                m ->
                    m instanceof StatusMonitor.OwnerTerminated || m == marker
                        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                            .continueAndIgnore())
            .get(0);
    assertThat(first)
        .as("the monitor hears of the loss before anyone who saw the count")
        .isNotSameAs(marker)
        .isInstanceOf(StatusMonitor.OwnerTerminated.class);
  }

  @Test
  void busySlotsAreRetriedNamingTheHolder() {
    TestProbe<StatusMonitor.Command> monitor = kit.createTestProbe();
    TestProbe<SourceActor.Command> source = kit.createTestProbe();
    RuntimeException busy =
        new ClassifiedException(
            ErrorClass.BUSY, "replication slot \"s\" is active for PID 77", null, null);
    kit.spawn(
        Restarter.create(
            settings(),
            monitor.getRef(),
            source.getRef(),
            new AtomicLong(),
            r -> failing(r, false, busy)));
    // First the dead connection's conditions are dropped, then the retry is announced.
    monitor.expectMessageClass(StatusMonitor.OwnerTerminated.class, Duration.ofSeconds(5));
    StatusMonitor.SetReason reason =
        monitor.expectMessageClass(StatusMonitor.SetReason.class, Duration.ofSeconds(5));
    assertThat(reason.reason()).contains("active for PID 77").contains("retrying in");
  }

  @Test
  void fatalErrorsFailTheSourceOnceAndStop() {
    TestProbe<StatusMonitor.Command> monitor = kit.createTestProbe();
    TestProbe<SourceActor.Command> source = kit.createTestProbe();
    AtomicLong reconnects = new AtomicLong();
    RuntimeException fatal =
        new ClassifiedException(ErrorClass.FATAL, "wal_level is replica", "set it", null);
    ActorRef<Restarter.Command> restarter =
        kit.spawn(
            Restarter.create(
                settings(),
                monitor.getRef(),
                source.getRef(),
                reconnects,
                r -> failing(r, false, fatal)));
    // The SourceActor has the monitor publish FAILED, then fails the stream
    // (SourceActorFailureTest).
    SourceActor.Failed failed =
        source.expectMessageClass(SourceActor.Failed.class, Duration.ofSeconds(5));
    assertThat(failed.error()).hasMessage("wal_level is replica. Fix: set it").hasCause(fatal);
    assertThat(failed.error().problem()).isEqualTo("wal_level is replica");
    assertThat(failed.error().remediation()).isEqualTo("set it");
    monitor.expectTerminated(restarter, Duration.ofSeconds(5));
    monitor.expectNoMessage(Duration.ofMillis(200));
    source.expectNoMessage(Duration.ofMillis(200));
    assertThat(reconnects.get()).isZero();
  }

  @Test
  void aRetryTellsInFieldsWhatTheSourceWaitsFor() {
    TestProbe<StatusMonitor.Command> monitor = kit.createTestProbe();
    RuntimeException busy =
        new ClassifiedException(
            new Classification(
                ErrorClass.BUSY,
                "replication slot \"s\" is active for PID 77, application 'other'",
                null,
                FailureKind.OTHER,
                null,
                new Classification.SlotHolder(77, "other")),
            null);
    kit.spawn(
        Restarter.create(
            settings(),
            monitor.getRef(),
            kit.<SourceActor.Command>createTestProbe().getRef(),
            new AtomicLong(),
            r -> failing(r, false, busy)));
    monitor.expectMessageClass(StatusMonitor.OwnerTerminated.class, Duration.ofSeconds(5));
    StatusMonitor.SetReason reason =
        monitor.expectMessageClass(StatusMonitor.SetReason.class, Duration.ofSeconds(5));
    assertThat(reason.waiting())
        .isEqualTo(
            new Waiting.SlotBusy(OptionalInt.of(77), Optional.of("other"), Duration.ofMillis(20)));

    TestProbe<StatusMonitor.Command> monitor2 = kit.createTestProbe();
    RuntimeException lost =
        new ClassifiedException(ErrorClass.TRANSIENT, "connection reset", null, null);
    kit.spawn(
        Restarter.create(
            settings(),
            monitor2.getRef(),
            kit.<SourceActor.Command>createTestProbe().getRef(),
            new AtomicLong(),
            r -> failing(r, false, lost)));
    monitor2.expectMessageClass(StatusMonitor.OwnerTerminated.class, Duration.ofSeconds(5));
    reason = monitor2.expectMessageClass(StatusMonitor.SetReason.class, Duration.ofSeconds(5));
    assertThat(reason.reason()).isEqualTo("connection reset; reconnecting in 20 ms");
    assertThat(reason.waiting())
        .isEqualTo(new Waiting.Reconnecting("connection reset", Duration.ofMillis(20)));
  }
}
