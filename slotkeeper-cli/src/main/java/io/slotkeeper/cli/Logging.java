package io.slotkeeper.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Iterator;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/** Sets log levels from the --verbose count: 0 quiet (WARN, core silent), 1 INFO, 2 DEBUG. */
final class Logging {
  // JUL keeps loggers weakly: hold the one we configure, or its level is forgotten.
  private static final java.util.logging.Logger PGJDBC =
      java.util.logging.Logger.getLogger("org.postgresql");

  private Logging() {}

  static void configure(int verbosity) {
    // pgjdbc logs through java.util.logging, whose console handler would print to stderr unasked.
    PGJDBC.setLevel(verbosity == 0 ? java.util.logging.Level.OFF : java.util.logging.Level.WARNING);
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext ctx)) {
      return; // another SLF4J backend is in charge (embedding); leave it alone
    }
    configure(ctx, verbosity);
  }

  /** The Logback part of {@link #configure(int)}, on {@code ctx}. */
  static void configure(LoggerContext ctx, int verbosity) {
    ctx.getLogger("io.slotkeeper")
        .setLevel(verbosity == 0 ? Level.OFF : verbosity == 1 ? Level.INFO : Level.DEBUG);
    // Pekko logs each failed connection actor at ERROR; for the engine that is routine (it
    // reconnects), and the program already reports it as a warning.
    for (String supervisor :
        new String[] {
          "org.apache.pekko.actor.SupervisorStrategy",
          "org.apache.pekko.actor.typed.SupervisorStrategy"
        }) {
      ctx.getLogger(supervisor).setLevel(verbosity == 0 ? Level.OFF : Level.INFO);
    }
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(verbosity >= 2 ? Level.INFO : Level.WARN);
    // Stack traces only when verbose. Only LogbackSetup's console is changed, and only when its
    // pattern is not already the one wanted: at verbosity 0 it is (building the encoder again cost
    // a few ms of start-up), and a console from the user's own -Dlogback.configurationFile keeps
    // the pattern they gave it.
    String wanted = verbosity == 0 ? LogbackSetup.QUIET_PATTERN : LogbackSetup.PATTERN;
    for (Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it =
            root.iteratorForAppenders();
        it.hasNext(); ) {
      Appender<ch.qos.logback.classic.spi.ILoggingEvent> appender = it.next();
      if (appender instanceof ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> console
          && console.getEncoder() instanceof PatternLayoutEncoder current
          && isOurs(current.getPattern())
          && !wanted.equals(current.getPattern())) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(wanted);
        encoder.start();
        console.stop();
        console.setEncoder(encoder);
        console.start();
      }
    }
  }

  private static boolean isOurs(String pattern) {
    return LogbackSetup.PATTERN.equals(pattern) || LogbackSetup.QUIET_PATTERN.equals(pattern);
  }
}
