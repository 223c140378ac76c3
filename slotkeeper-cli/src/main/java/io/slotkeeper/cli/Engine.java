package io.slotkeeper.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** The actor system a command streams in, configured for a command-line program. */
final class Engine {
  private Engine() {}

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
    Config all = cli.withFallback(userConfig).withFallback(ConfigFactory.load());
    return ActorSystem.create(Behaviors.empty(), "slotkeeper", all);
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
