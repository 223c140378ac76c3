package io.slotkeeper.postgres.spi;

import io.slotkeeper.postgres.StopMode;
import java.util.Map;

/**
 * What differs between an embedded server and a container; everything SQL-based lives in {@link
 * io.slotkeeper.postgres.PostgresServer}. Public only so that a {@link DockerBackendProvider} in
 * another module can implement it; not an API for users.
 */
public interface Backend {

  /**
   * Brings the server up for the first time; on failure the backend has already cleaned up after
   * itself.
   */
  void create();

  String host();

  int port();

  boolean running();

  void stop(StopMode mode);

  /** Starts a stopped server again with the same data and port. */
  void start();

  /**
   * Replaces the server's own settings (null value = remove) and restarts it so that they take
   * effect.
   */
  void restartWith(Map<String, String> changes);

  /** Everything the server has written to its log so far. */
  String log();

  /** Stops the server however it can and removes its files. Must be idempotent and never throw. */
  void destroy(boolean quick);

  /** Short human description for logs and error messages. */
  String describe();
}
