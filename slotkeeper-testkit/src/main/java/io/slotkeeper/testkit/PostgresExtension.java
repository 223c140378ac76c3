package io.slotkeeper.testkit;

import io.slotkeeper.postgres.PostgresServer;
import java.lang.reflect.Parameter;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * One real PostgreSQL server per test class.
 *
 * <pre>{@code
 * @PostgresVersion(15)   // optional
 * class MyIT {
 *     @RegisterExtension
 *     static final PostgresExtension PG = PostgresExtension.builder().setting("wal_sender_timeout", "2s").build();
 *
 *     @Test void works(PostgresServer pg) { ... }   // or PG.server()
 * }
 * }</pre>
 *
 * <p>Also usable declaratively as {@code @ExtendWith(PostgresExtension.class)} with default
 * settings. The server starts before the class's first test (or earlier if the test instance needs
 * it injected) and is closed after its last one, whatever the outcome; {@code @Nested} classes
 * share their outer class's server.
 */
public final class PostgresExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

  private final PostgresServer.Builder config;
  private PostgresServer server;

  /**
   * Unique ids of the class contexts using the server: the outer class plus any running @Nested
   * classes.
   */
  private final Set<String> holders = new HashSet<>();

  /**
   * For {@code @ExtendWith(PostgresExtension.class)}: default settings, version from annotation or
   * property.
   */
  public PostgresExtension() {
    this(PostgresServer.builder());
  }

  private PostgresExtension(PostgresServer.Builder config) {
    this.config = config;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The running server; only valid while the test class runs. */
  public synchronized PostgresServer server() {
    if (server == null) {
      throw new IllegalStateException(
          "no PostgreSQL server: register PostgresExtension on a static field "
              + "(@RegisterExtension static final ...) so that it starts before the tests");
    }
    return server;
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    holders.add(context.getUniqueId());
    ensureStarted(context);
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    holders.remove(context.getUniqueId());
    if (holders.isEmpty() && server != null) {
      try {
        server.close();
      } finally {
        server = null;
      }
    }
  }

  private void ensureStarted(ExtensionContext context) {
    if (server != null) {
      return;
    }
    PostgresServer.Builder b = config.copy();
    if (!b.hasVersion()) {
      Optional<PostgresVersion> annotation =
          context.getTestClass().flatMap(PostgresExtension::findVersion);
      annotation.ifPresent(v -> b.version(v.value()));
    }
    try {
      server = b.start();
    } catch (RuntimeException e) {
      // JUnit reports this against every test of the class; make the cause the first thing one
      // reads.
      throw new ExtensionConfigurationException(
          "PostgreSQL test server did not start: " + e.getMessage(), e);
    }
  }

  private static Optional<PostgresVersion> findVersion(Class<?> testClass) {
    // @Nested classes inherit the version of the class they are nested in.
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      Optional<PostgresVersion> found = AnnotationSupport.findAnnotation(c, PostgresVersion.class);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    Parameter p = parameterContext.getParameter();
    return p.getType() == PostgresServer.class;
  }

  @Override
  public synchronized Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext context) {
    if (server == null) {
      if (context.getTestMethod().isPresent()) {
        // beforeAll never ran: the extension sits on an instance field, which JUnit only offers per
        // test.
        throw new ParameterResolutionException(
            "no PostgreSQL server to inject: register PostgresExtension "
                + "on a static field (@RegisterExtension static final ...)");
      }
      // With @TestInstance(PER_CLASS) the constructor is resolved before beforeAll, in the class
      // context
      // that afterAll will release again.
      holders.add(context.getUniqueId());
      ensureStarted(context);
    }
    return server;
  }

  /** Same knobs as {@link PostgresServer.Builder}, applied to the server of each test class. */
  public static final class Builder {
    private final PostgresServer.Builder server = PostgresServer.builder();

    private Builder() {}

    /** Wins over {@link PostgresVersion} and the {@code slotkeeper.pg.version} property. */
    public Builder version(int major) {
      server.version(major);
      return this;
    }

    public Builder mode(PostgresServer.Mode mode) {
      server.mode(mode);
      return this;
    }

    public Builder setting(String name, String value) {
      server.setting(name, value);
      return this;
    }

    public Builder settings(Map<String, String> values) {
      server.settings(values);
      return this;
    }

    public Builder superuserPassword(String password) {
      server.superuserPassword(password);
      return this;
    }

    public Builder walSegmentSizeMb(int megabytes) {
      server.walSegmentSizeMb(megabytes);
      return this;
    }

    public PostgresExtension build() {
      return new PostgresExtension(server.copy());
    }
  }
}
