package io.slotkeeper.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.status.NopStatusListener;
import org.slf4j.Logger;

/**
 * The program's logging, set up in code (found by Logback through {@code
 * META-INF/services/ch.qos.logback.classic.spi.Configurator}): WARN and above to stderr, never
 * stdout, which carries the JSON Lines of {@code slotkeeper stream}; the verbose flag raises the
 * levels at run time ({@link Logging}), and only then are stack traces printed. The core's own log
 * lines are off (the program prints the substance of the core's status itself, without stack
 * traces), and so are Pekko's reports of failed connection actors (the engine reconnects, which is
 * routine).
 *
 * <p>Why in code and not a {@code logback.xml}: reading XML made Logback load a parser and its
 * configuration model, and first look for {@code logback-test.xml} in every jar of the class path
 * (issue 16: the time to the first change; start to first line, medians of 5 runs in two batches,
 * 1.50 and 1.41 s against 1.55 and 1.53 s with the XML). With {@code
 * -Dlogback.configurationFile=...} this steps aside and Logback reads that file as usual. It does
 * not look for a {@code logback-test.xml} itself: that lookup, a miss in every jar, cost as much as
 * the XML did.
 */
public final class LogbackSetup extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n";

  /** {@link #PATTERN} without stack traces: the program's default; -v prints them. */
  static final String QUIET_PATTERN = PATTERN + "%nopex";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    // Logback's notes about itself would be noise on the program's stderr.
    context.getStatusManager().add(new NopStatusListener());
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(QUIET_PATTERN);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
    context.getLogger("io.slotkeeper").setLevel(Level.OFF);
    context.getLogger("org.apache.pekko.actor.SupervisorStrategy").setLevel(Level.OFF);
    context.getLogger("org.apache.pekko.actor.typed.SupervisorStrategy").setLevel(Level.OFF);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
