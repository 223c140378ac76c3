package io.slotkeeper.internal.admin;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * An ordinary (non-replication) JDBC connection for administrative queries, opened on first use and
 * thrown away after any error so the next use starts clean. Single-threaded: owned by the
 * AdminActor.
 */
final class AdminConnection implements AutoCloseable {
  private final String url;
  private final Properties properties;
  private Connection connection;

  AdminConnection(String url, Properties properties) {
    this.url = url;
    this.properties = properties;
  }

  Connection get() throws SQLException {
    if (connection == null) {
      connection = DriverManager.getConnection(url, properties);
      connection.setAutoCommit(true);
    }
    return connection;
  }

  /** After an error: the connection may be broken, so drop it. */
  void reset() {
    close();
  }

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // being thrown away
      }
      connection = null;
    }
  }
}
