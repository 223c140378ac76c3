package io.slotkeeper;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where and how a source connects: the JDBC URL, the role and its password, extra pgjdbc
 * properties, and the connect and socket timeouts ({@code url}, {@code user}, {@code password},
 * {@code connection-properties}, {@code connect-timeout}, {@code socket-timeout} in
 * reference.conf). Immutable; every {@code withXxx} returns a changed copy. {@link #toString()}
 * masks the password, password-like properties and a {@code password=} in the URL.
 */
public final class ConnectionSettings {
  private final String url;
  private final String user;
  private final String password;
  private final Map<String, String> properties;
  private final Duration connectTimeout;
  private final Duration socketTimeout;

  ConnectionSettings(
      String url,
      String user,
      String password,
      Map<String, String> properties,
      Duration connectTimeout,
      Duration socketTimeout) {
    this.url = Objects.requireNonNull(url, "url");
    this.user = Objects.requireNonNull(user, "user");
    this.password = Objects.requireNonNull(password, "password");
    this.properties = Map.copyOf(properties);
    this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    this.socketTimeout = Objects.requireNonNull(socketTimeout, "socketTimeout");
  }

  /** The JDBC URL, e.g. {@code jdbc:postgresql://db:5432/app}. */
  public String url() {
    return url;
  }

  /** The role to connect as; empty leaves it to pgjdbc (the URL or the OS user). */
  public String user() {
    return user;
  }

  /** The role's password, in clear: hand it to nothing that logs. Empty means none. */
  public String password() {
    return password;
  }

  /** Extra pgjdbc properties (TLS and the like), passed through as they are. */
  public Map<String, String> properties() {
    return properties;
  }

  /** Time allowed for opening a connection: TCP connect and login together. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Upper bound of a single blocking read on a connection. */
  public Duration socketTimeout() {
    return socketTimeout;
  }

  /** The database name in the URL, for messages. */
  public String databaseName() {
    String rest = url.replaceFirst("^jdbc:postgresql:(//[^/]*/)?", "");
    int q = rest.indexOf('?');
    return q < 0 ? rest : rest.substring(0, q);
  }

  public ConnectionSettings withUrl(String v) {
    return new ConnectionSettings(v, user, password, properties, connectTimeout, socketTimeout);
  }

  public ConnectionSettings withUser(String v) {
    return new ConnectionSettings(url, v, password, properties, connectTimeout, socketTimeout);
  }

  public ConnectionSettings withPassword(String v) {
    return new ConnectionSettings(url, user, v, properties, connectTimeout, socketTimeout);
  }

  /** These properties, replacing all the others. */
  public ConnectionSettings withProperties(Map<String, String> v) {
    return new ConnectionSettings(url, user, password, v, connectTimeout, socketTimeout);
  }

  /** One more property (or a new value for one). */
  public ConnectionSettings withProperty(String key, String value) {
    Map<String, String> m = new TreeMap<>(properties);
    m.put(key, value);
    return withProperties(m);
  }

  public ConnectionSettings withConnectTimeout(Duration v) {
    return new ConnectionSettings(url, user, password, properties, v, socketTimeout);
  }

  public ConnectionSettings withSocketTimeout(Duration v) {
    return new ConnectionSettings(url, user, password, properties, connectTimeout, v);
  }

  @Override
  public String toString() {
    return "ConnectionSettings(url="
        + Redaction.url(url)
        + ", user="
        + user
        + ", password="
        + Redaction.secret(password)
        + ", properties="
        + Redaction.properties(properties)
        + ", connectTimeout="
        + connectTimeout
        + ", socketTimeout="
        + socketTimeout
        + ")";
  }
}
