package io.slotkeeper.soak;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.javadsl.Control;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

/**
 * Issue 18's secrets check under every fault of the soak: while the soak runs, every log event of
 * every logger (the engine's at DEBUG) is scanned for the password, and so are the current source's
 * status, reason, failure, progress and the settings' {@code toString}, sampled every 100 ms. Only
 * the hits are kept (with their context), not the text, so a long soak costs no memory.
 */
final class SecretWatch implements AutoCloseable {
  private final String secret;
  private final ConcurrentLinkedQueue<String> hits = new ConcurrentLinkedQueue<>();
  private final AtomicLong scanned = new AtomicLong();
  private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
  private final Logger engine = context.getLogger("io.slotkeeper");
  private final Level engineLevelBefore = engine.getLevel();
  private final AppenderBase<ILoggingEvent> appender;
  private final Thread sampler;
  private volatile boolean closed;

  SecretWatch(String secret, Supplier<Control> current, Object settings) {
    this.secret = secret;
    appender =
        new AppenderBase<>() {
          @Override
          protected void append(ILoggingEvent e) {
            String text = e.getFormattedMessage();
            if (e.getThrowableProxy() != null) {
              text = text + "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy());
            }
            scan("log " + e.getLoggerName() + " " + e.getLevel(), text);
          }
        };
    appender.setContext(context);
    appender.start();
    context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
    engine.setLevel(Level.DEBUG);
    scan("settings.toString", String.valueOf(settings));
    sampler =
        new Thread(
            () -> {
              while (!closed) {
                Control c = current.get();
                if (c != null) {
                  SourceStatus s = c.status();
                  scan("status", s.toString());
                  scan("status reason", s.reason());
                  s.error().ifPresent(err -> scan("status failure", String.valueOf(err)));
                  s.waiting().ifPresent(w -> scan("status waiting", String.valueOf(w)));
                  scan("progress", String.valueOf(c.progress()));
                }
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "soak-secret-watch");
    sampler.setDaemon(true);
    sampler.start();
  }

  private void scan(String where, String text) {
    scanned.incrementAndGet();
    if (text != null && text.contains(secret)) {
      int at = text.indexOf(secret);
      hits.add(
          where
              + ": ..."
              + text.substring(Math.max(0, at - 120), at).replace(secret, "<SECRET>")
              + "<SECRET>...");
    }
  }

  /** Where the secret showed up (empty when nowhere), and how many texts were scanned. */
  List<String> hits() {
    return new ArrayList<>(hits);
  }

  long scanned() {
    return scanned.get();
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    sampler.interrupt();
    sampler.join(5000);
    context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
    engine.setLevel(engineLevelBefore);
  }
}
