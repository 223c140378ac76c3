package io.slotkeeper.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The actor system a command streams in, configured for a command-line program. */
final class Engine {
  private Engine() {}

  /**
   * Pekko's scheduler tick for the program: 100 ms instead of Pekko's 10 ms. Why: the scheduler's
   * thread wakes every tick whether or not a timer is due, and for a quiet stream that was the
   * program's largest idle cost (issue 16: 100 wakes a second, 0.73% of a core of the program's
   * 1.5%). Every timer the program runs is 200 ms or longer (acknowledgement flush, keepalives,
   * back-off, the status tick is its own thread's), and a timer fires on the first tick at or after
   * it is due, so they fire up to one tick late; the data path does not use the scheduler (a quiet
   * stream is woken by the server's bytes). Only the re-poll of a full streamed-transaction spool
   * (1–10 ms) becomes one tick, a wait for the program's own output. A user's configuration file or
   * {@code -Dpekko.scheduler.tick-duration} still sets it.
   */
  static final String TICK = "pekko.scheduler.tick-duration = 100ms";

  static ActorSystem<Void> start(Config userConfig, int verbosity) {
    String level = verbosity >= 2 ? "DEBUG" : verbosity == 1 ? "INFO" : "WARNING";
    Config cli =
        ConfigFactory.parseString(
            String.join(
                "\n",
                // Pekko's own stdout logger would mix log lines into the JSON Lines on stdout.
                "pekko.stdout-loglevel = OFF",
                "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
                "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
                "pekko.loglevel = " + level,
                "pekko.log-dead-letters = " + (verbosity > 0 ? "10" : "off"),
                "pekko.log-dead-letters-during-shutdown = off",
                // The program decides when to stop (it drains first); no JVM hook may tear the
                // system down early.
                "pekko.jvm-shutdown-hooks = off",
                "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"));
    Config all =
        cli.withFallback(userConfig)
            .withFallback(ConfigFactory.systemProperties())
            .withFallback(ConfigFactory.parseString(TICK))
            .withFallback(ConfigFactory.load());
    return ActorSystem.create(Behaviors.empty(), "slotkeeper", all);
  }

  /**
   * {@link #start} on a thread of its own, so that a command can do its own start-up work (the
   * stream's preflight connection) meanwhile: the two take a few hundred milliseconds each, one
   * mostly waiting on the server, the other on the CPU (issue 16: the program's time to its first
   * change). {@link Starting#get()} gives the system or throws what {@code start} threw; {@link
   * Starting#abandon()} stops it once it is up.
   */
  static Starting startInBackground(Config userConfig, int verbosity) {
    CompletableFuture<ActorSystem<Void>> future = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                future.complete(start(userConfig, verbosity));
              } catch (Throwable e) {
                future.completeExceptionally(e);
              }
            },
            "slotkeeper-engine-start");
    t.setDaemon(true);
    t.start();
    return new Starting(future);
  }

  /** An actor system being started by {@link #startInBackground}. */
  static final class Starting {
    private final CompletableFuture<ActorSystem<Void>> future;

    private Starting(CompletableFuture<ActorSystem<Void>> future) {
      this.future = future;
    }

    /** Waits for the system; rethrows what its start threw. */
    ActorSystem<Void> get() {
      try {
        return future.join();
      } catch (CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException r) {
          throw r;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw e;
      }
    }

    /** The command will not use the system: stop it (waiting for its start first). */
    void abandon() {
      try {
        stop(future.join(), Duration.ofSeconds(10));
      } catch (RuntimeException ignored) {
        // It did not start: nothing to stop.
      }
    }
  }

  static void stop(ActorSystem<?> system, Duration timeout) {
    system.terminate();
    try {
      system
          .getWhenTerminated()
          .toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // Termination is best effort on the way out; the process ends anyway.
    }
  }
}
