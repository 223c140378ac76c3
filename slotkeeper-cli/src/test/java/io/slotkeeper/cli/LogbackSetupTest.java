package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The program's logging set up in code (LogbackSetup): what logback.xml used to say. */
class LogbackSetupTest {

  @Test
  void warningsGoToStderrAndTheCoreIsQuiet() {
    LoggerContext context = new LoggerContext();
    LogbackSetup setup = new LogbackSetup();
    setup.setContext(context);
    assertThat(setup.configure(context)).isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);

    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(root.getAppender("STDERR")).isInstanceOf(ConsoleAppender.class);
    // stdout carries the JSON Lines: nothing may log there.
    assertThat(((ConsoleAppender<?>) root.getAppender("STDERR")).getTarget())
        .isEqualTo("System.err");
    assertThat(context.getLogger("io.slotkeeper.internal.x").getEffectiveLevel())
        .isEqualTo(Level.OFF);
    assertThat(context.getLogger("org.apache.pekko.actor.SupervisorStrategy").getEffectiveLevel())
        .isEqualTo(Level.OFF);
    assertThat(context.getLogger("org.postgresql").getEffectiveLevel()).isEqualTo(Level.WARN);
  }

  @Test
  void aConfigurationFileNamedByTheUserWins() {
    LoggerContext context = new LoggerContext();
    LogbackSetup setup = new LogbackSetup();
    setup.setContext(context);
    System.setProperty("logback.configurationFile", "/nonexistent/logback.xml");
    try {
      assertThat(setup.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
    } finally {
      System.clearProperty("logback.configurationFile");
    }
  }

  @Test
  void thisJvmsLogbackWasSetUpByIt() {
    // Found through META-INF/services: the test JVM's own Logback went through LogbackSetup.
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR"))
        .isInstanceOf(ConsoleAppender.class);
  }
}
