package io.slotkeeper.internal.connection;

import io.slotkeeper.AdminSettings;
import io.slotkeeper.ConnectionSettings;
import io.slotkeeper.InternalApi;
import io.slotkeeper.SourceSettings;
import java.util.Properties;

/**
 * The pgjdbc properties of a source's connections. Internal because the result carries the password
 * in clear and {@code Properties.toString()} prints it: it is built where a connection is opened
 * and handed to pgjdbc only.
 */
@InternalApi
public final class JdbcProperties {
  private JdbcProperties() {}

  /** For this source's connections, without replication-specific properties. */
  public static Properties of(SourceSettings settings) {
    ConnectionSettings c = settings.connection();
    return build(settings, c.user(), c.password());
  }

  /** For the primary's admin connection (standby sources only). */
  public static Properties primary(SourceSettings settings) {
    ConnectionSettings c = settings.connection();
    AdminSettings a = settings.admin();
    // Without a role of its own the primary connection uses the source's role and password.
    return build(
        settings,
        a.primaryUser().isEmpty() ? c.user() : a.primaryUser(),
        a.primaryUser().isEmpty() && a.primaryPassword().isEmpty()
            ? c.password()
            : a.primaryPassword());
  }

  private static Properties build(SourceSettings settings, String role, String secret) {
    ConnectionSettings c = settings.connection();
    Properties p = new Properties();
    p.putAll(c.properties());
    if (!role.isEmpty()) {
      p.setProperty("user", role);
    }
    if (!secret.isEmpty()) {
      p.setProperty("password", secret);
    }
    // pgjdbc takes whole seconds; 0 would mean "no timeout", so never less than 1.
    long connectSeconds = Math.max(1, c.connectTimeout().toSeconds());
    p.setProperty("connectTimeout", Long.toString(connectSeconds));
    p.setProperty("loginTimeout", Long.toString(connectSeconds));
    p.setProperty("socketTimeout", Long.toString(Math.max(1, c.socketTimeout().toSeconds())));
    p.setProperty("tcpKeepAlive", "true");
    p.putIfAbsent("ApplicationName", "slotkeeper:" + settings.slot().name());
    return p;
  }
}
