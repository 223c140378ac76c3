package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The connection dispatcher as {@code reference.conf} defines it, in a real actor system: a message
 * sent while a wake is carried is handled on the waking thread, and so is the message that actor
 * passes on to another on the same dispatcher, as the connection actor does to the source actor.
 */
class ConnectionExecutorConfiguratorTest {
  private static final String DISPATCHER = "slotkeeper.connection-dispatcher";
  private static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.load());

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** Records the thread that handled its message, then passes it on to {@code next}, if any. */
  private record Hop(CompletableFuture<Thread> handledOn, ActorRef<Hop> next) {}

  private static Behavior<Hop> relay() {
    return Behaviors.receiveMessage(
        m -> {
          m.handledOn().complete(Thread.currentThread());
          if (m.next() != null) {
            m.next().tell(new Hop(new CompletableFuture<>(), null));
          }
          return Behaviors.same();
        });
  }

  /** Records the thread of every message, in a future handed over with the first. */
  private static Behavior<Hop> sink(CompletableFuture<Thread> received) {
    return Behaviors.receiveMessage(
        m -> {
          received.complete(Thread.currentThread());
          return Behaviors.same();
        });
  }

  @Test
  void aWakeCarriesTheMessageAndWhatItPassesOnOnItsOwnThread() throws Exception {
    CompletableFuture<Thread> atSecond = new CompletableFuture<>();
    ActorRef<Hop> second =
        kit.spawn(sink(atSecond), "second", DispatcherSelector.fromConfig(DISPATCHER));
    ActorRef<Hop> first = kit.spawn(relay(), "first", DispatcherSelector.fromConfig(DISPATCHER));
    CompletableFuture<Thread> atFirst = new CompletableFuture<>();
    Thread waker = new Thread(() -> WakeTrampoline.run(() -> first.tell(new Hop(atFirst, second))));
    waker.start();
    waker.join(10_000);
    assertThat(atFirst.get(10, TimeUnit.SECONDS)).isSameAs(waker);
    assertThat(atSecond.get(10, TimeUnit.SECONDS)).isSameAs(waker);
  }

  @Test
  void withoutAWakeThePoolRunsThem() throws Exception {
    CompletableFuture<Thread> atSecond = new CompletableFuture<>();
    ActorRef<Hop> second =
        kit.spawn(sink(atSecond), "second-plain", DispatcherSelector.fromConfig(DISPATCHER));
    ActorRef<Hop> first =
        kit.spawn(relay(), "first-plain", DispatcherSelector.fromConfig(DISPATCHER));
    CompletableFuture<Thread> atFirst = new CompletableFuture<>();
    first.tell(new Hop(atFirst, second));
    assertThat(atFirst.get(10, TimeUnit.SECONDS).getName()).contains(DISPATCHER);
    assertThat(atSecond.get(10, TimeUnit.SECONDS).getName()).contains(DISPATCHER);
  }

  /**
   * An error that escapes an actor (fatal to Pekko: an {@link OutOfMemoryError} here) while a wake
   * carries it reaches the actor system's handler as it would on a pool thread. With {@code
   * jvm-exit-on-fatal-error} off that handler shuts the system down; without the hand-over the
   * error was only logged on the waiter's thread and the system ran on.
   */
  @Test
  void aFatalErrorDuringAWakeReachesTheActorSystem() throws Exception {
    ActorTestKit own =
        ActorTestKit.create(
            "fatal-during-wake",
            ConfigFactory.parseString("pekko.jvm-exit-on-fatal-error = off")
                .withFallback(ConfigFactory.load()));
    try {
      ActorRef<String> failing =
          own.spawn(
              Behaviors.<String>receiveMessage(
                  m -> {
                    throw new OutOfMemoryError("a test's fatal error");
                  }),
              "failing",
              DispatcherSelector.fromConfig(DISPATCHER));
      Thread waker = new Thread(() -> WakeTrampoline.run(() -> failing.tell("go")));
      waker.start();
      waker.join(10_000);
      assertThat(waker.isAlive()).as("the waking thread came back").isFalse();
      own.system().getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      own.shutdownTestKit();
    }
  }
}
