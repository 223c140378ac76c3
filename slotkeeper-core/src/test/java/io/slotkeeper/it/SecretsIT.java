package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The password (and {@code sslpassword}) never leaves the settings: with every logger of the
 * engine, Pekko and pgjdbc at DEBUG (pgjdbc at its finest), a source of a role with a distinctive
 * password goes through a wrong publication (FAILED) and a walsender kill (reconnect), and neither
 * secret appears in any log line or stack trace, status, reason, failure, progress or toString.
 */
class SecretsIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final String PASSWORD = "Qz7-Wombat-Secret-4471";
  private static final String SSL_PASSWORD = "Kx3-Keypass-Secret-9902";

  private static final ConcurrentLinkedQueue<String> captured = new ConcurrentLinkedQueue<>();
  private static final Map<String, Level> previous = new java.util.HashMap<>();
  private static final java.util.logging.Logger PGJDBC =
      java.util.logging.Logger.getLogger("org.postgresql");
  private static java.util.logging.Level previousJul;

  private static final Handler JUL =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          StringBuilder sb = new StringBuilder(String.valueOf(r.getMessage()));
          if (r.getParameters() != null) {
            for (Object p : r.getParameters()) {
              sb.append(' ').append(p);
            }
          }
          if (r.getThrown() != null) {
            sb.append(' ').append(stackTrace(r.getThrown()));
          }
          captured.add("jul " + sb);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private static final AppenderBase<ILoggingEvent> LOGBACK =
      new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
          captured.add(
              e.getLoggerName()
                  + " "
                  + e.getFormattedMessage()
                  + (e.getThrowableProxy() == null
                      ? ""
                      : " " + ThrowableProxyUtil.asString(e.getThrowableProxy()))
                  + " "
                  + e.getMDCPropertyMap());
        }
      };

  @BeforeAll
  static void captureEverything() {
    // The setup's own SQL names the password (pgjdbc logs statements at its finest): run it first.
    PostgresServer pg = PG.server();
    pg.createRole("sk_secret", PASSWORD, true);
    pg.execute("CREATE TABLE sec (id int PRIMARY KEY, v text)");
    pg.execute("GRANT SELECT ON sec TO sk_secret");
    pg.execute("CREATE PUBLICATION sec_pub FOR TABLE sec");
    pg.execute("SELECT pg_create_logical_replication_slot('sec_slot', 'pgoutput')");
    pg.execute("SELECT pg_create_logical_replication_slot('sec_bad', 'pgoutput')");
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    for (String name :
        new String[] {org.slf4j.Logger.ROOT_LOGGER_NAME, "io.slotkeeper", "org.apache.pekko"}) {
      ch.qos.logback.classic.Logger l = ctx.getLogger(name);
      previous.put(name, l.getLevel());
      l.setLevel(Level.DEBUG);
    }
    LOGBACK.setContext(ctx);
    LOGBACK.start();
    ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(LOGBACK);
    previousJul = PGJDBC.getLevel();
    PGJDBC.setLevel(java.util.logging.Level.ALL);
    JUL.setLevel(java.util.logging.Level.ALL);
    PGJDBC.addHandler(JUL);
  }

  @AfterAll
  static void restore() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(LOGBACK);
    previous.forEach((name, level) -> ctx.getLogger(name).setLevel(level));
    PGJDBC.removeHandler(JUL);
    PGJDBC.setLevel(previousJul);
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  private static SourceSettings settings(String slot, String publication) {
    PostgresServer pg = PG.server();
    return SourceSettings.create(com.typesafe.config.ConfigFactory.empty())
        .withUrl(pg.jdbcUrl())
        .withUser("sk_secret")
        .withPassword(PASSWORD)
        .withConnectionProperty("sslpassword", SSL_PASSWORD)
        .withSlotName(slot)
        .withPublications(publication)
        .withRestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);
  }

  /** Everything a person or a program could see of a source. */
  private static void collect(StringBuilder seen, Harness h, SourceSettings s) {
    SourceStatus st = h.control.status();
    seen.append(st).append('\n').append(st.reason()).append('\n');
    st.error().ifPresent(e -> seen.append(stackTrace(e)));
    st.waiting().ifPresent(w -> seen.append(w).append('\n'));
    seen.append(h.control.progress()).append('\n').append(s).append('\n');
    seen.append(s.connection()).append('\n').append(s.admin()).append('\n');
  }

  @Test
  void noSecretInAnyLogLineStatusOrToStringThroughAFailureAndAReconnect() throws Exception {
    PostgresServer pg = PG.server();
    StringBuilder seen = new StringBuilder();

    // A wrong publication: FAILED with the fix.
    SourceSettings wrong = settings("sec_bad", "no_such_pub");
    Harness bad = Harness.start(kit.system(), wrong);
    Harness.await(
        "FAILED", Duration.ofSeconds(30), () -> bad.control.status().level() == StatusLevel.FAILED);
    collect(seen, bad, wrong);
    try {
      bad.done.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      seen.append(stackTrace(e));
    }
    bad.close();

    // A walsender kill: the source reconnects and goes on.
    SourceSettings good = settings("sec_slot", "sec_pub");
    try (Harness h = Harness.start(kit.system(), good)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute("INSERT INTO sec VALUES (1, 'a')");
      Harness.await(
          "the first row", Duration.ofSeconds(30), () -> h.consumer.insertedIds().contains("1"));
      pg.terminateWalsender("sec_slot");
      Harness.await(
          "a reconnect", Duration.ofSeconds(30), () -> h.control.progress().reconnects() > 0);
      collect(seen, h, good);
      pg.execute("INSERT INTO sec VALUES (2, 'b')");
      Harness.await(
          "the second row", Duration.ofSeconds(30), () -> h.consumer.insertedIds().contains("2"));
      collect(seen, h, good);
    }

    String logs = String.join("\n", captured);
    // The capture worked: the engine's DEBUG lines and the failure are in it.
    assertThat(captured).as("captured log lines").hasSizeGreaterThan(20);
    assertThat(logs).contains("no_such_pub");
    assertThat(seen.toString()).contains("no_such_pub", "sk_secret");
    for (String secret : new String[] {PASSWORD, SSL_PASSWORD}) {
      assertThat(logs).as("log lines").doesNotContain(secret);
      assertThat(seen.toString()).as("status, failure, progress, toString").doesNotContain(secret);
    }
  }
}
