package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The --verbose count applied to a Logback context of its own (the JVM's is left alone). */
class LoggingTest {

  private static LoggerContext setUp() {
    LoggerContext context = new LoggerContext();
    LogbackSetup setup = new LogbackSetup();
    setup.setContext(context);
    setup.configure(context);
    return context;
  }

  @SuppressWarnings("unchecked")
  private static ConsoleAppender<ILoggingEvent> stderr(LoggerContext context) {
    return (ConsoleAppender<ILoggingEvent>)
        context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
  }

  private static String pattern(LoggerContext context) {
    return ((PatternLayoutEncoder) stderr(context).getEncoder()).getPattern();
  }

  @Test
  void quietKeepsTheEncoderItWasSetUpWith() {
    LoggerContext context = setUp();
    Encoder<ILoggingEvent> before = stderr(context).getEncoder();
    Logging.configure(context, 0);
    assertThat(stderr(context).getEncoder()).isSameAs(before);
    assertThat(pattern(context)).isEqualTo(LogbackSetup.QUIET_PATTERN);
    assertThat(context.getLogger("io.slotkeeper.x").getEffectiveLevel()).isEqualTo(Level.OFF);
  }

  @Test
  void verboseAddsStackTracesAndQuietTakesThemAway() {
    LoggerContext context = setUp();
    Logging.configure(context, 1);
    assertThat(pattern(context)).isEqualTo(LogbackSetup.PATTERN);
    assertThat(stderr(context).isStarted()).isTrue();
    assertThat(context.getLogger("io.slotkeeper.x").getEffectiveLevel()).isEqualTo(Level.INFO);
    Logging.configure(context, 2);
    assertThat(context.getLogger("io.slotkeeper.x").getEffectiveLevel()).isEqualTo(Level.DEBUG);
    Logging.configure(context, 0);
    assertThat(pattern(context)).isEqualTo(LogbackSetup.QUIET_PATTERN);
  }

  @Test
  void aConsoleOfTheUsersOwnKeepsItsPattern() {
    LoggerContext context = new LoggerContext();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%level %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> mine = new ConsoleAppender<>();
    mine.setContext(context);
    mine.setName("STDERR");
    mine.setEncoder(encoder);
    mine.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(mine);
    Logging.configure(context, 1);
    assertThat(mine.getEncoder()).isSameAs(encoder);
    Logging.configure(context, 0);
    assertThat(mine.getEncoder()).isSameAs(encoder);
  }
}
