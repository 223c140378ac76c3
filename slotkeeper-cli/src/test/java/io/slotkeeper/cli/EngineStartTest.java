package io.slotkeeper.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;

/** The actor system started beside the stream's preflight (Engine.startInBackground). */
class EngineStartTest {

  @Test
  void theSystemStartedInTheBackgroundIsTheCommandsToUseAndStop() throws Exception {
    Engine.Starting starting = Engine.startInBackground(ConfigFactory.empty(), 0);
    ActorSystem<Void> system = starting.get();
    try {
      assertEquals("slotkeeper", system.name());
      assertTrue(!system.getWhenTerminated().toCompletableFuture().isDone(), "running");
    } finally {
      Engine.stop(system, java.time.Duration.ofSeconds(10));
    }
    assertTrue(system.getWhenTerminated().toCompletableFuture().isDone());
  }

  @Test
  void aFailedStartSurfacesAsWhatStartThrew() {
    // A value of the wrong type where Pekko reads a duration: its start throws ConfigException.
    Engine.Starting starting =
        Engine.startInBackground(
            ConfigFactory.parseString("pekko.scheduler.tick-duration = not-a-duration"), 0);
    assertThrows(ConfigException.class, starting::get);
    // Abandoning a start that failed has nothing to stop and throws nothing.
    starting.abandon();
  }

  @Test
  void anAbandonedStartIsStoppedOnceItIsUp() throws Exception {
    Engine.Starting starting = Engine.startInBackground(ConfigFactory.empty(), 0);
    // As when the preflight fails: the command never takes the system, it only abandons it.
    starting.abandon();
    ActorSystem<Void> system = starting.get();
    system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(system.getWhenTerminated().toCompletableFuture().isDone(), "terminated");
  }

  @Test
  void theProgramsSchedulerTicksEvery100msUnlessTheUserSaysOtherwise() throws Exception {
    assertEquals(Duration.ofMillis(100), tickOf(Engine.start(ConfigFactory.empty(), 0)));
    assertEquals(
        Duration.ofMillis(20),
        tickOf(Engine.start(ConfigFactory.parseString("pekko.scheduler.tick-duration = 20ms"), 0)));
    System.setProperty("pekko.scheduler.tick-duration", "30ms");
    try {
      ConfigFactory.invalidateCaches();
      assertEquals(Duration.ofMillis(30), tickOf(Engine.start(ConfigFactory.empty(), 0)));
    } finally {
      System.clearProperty("pekko.scheduler.tick-duration");
      ConfigFactory.invalidateCaches();
    }
  }

  /** The tick the scheduler was built with (not only what the configuration says), then stops. */
  private static Duration tickOf(ActorSystem<Void> system) throws Exception {
    try {
      return Duration.ofNanos(
          ((org.apache.pekko.actor.LightArrayRevolverScheduler) system.classicSystem().scheduler())
              .TickDuration().toNanos());
    } finally {
      Engine.stop(system, Duration.ofSeconds(10));
    }
  }
}
