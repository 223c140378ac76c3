package io.slotkeeper.internal.connection;

import io.slotkeeper.SourceSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the walsender of a slot creation the source gave up on (it shut down, or its actor system
 * stopped, while creation waited for running transactions). Why: that walsender waits on a lock,
 * not on its socket, so closing our end does not stop it; once the blockers end it would create the
 * slot anyway, a slot nobody consumes and which retains WAL. It is terminated over a fresh ordinary
 * connection, and only if it is still the very backend our connection started (same PID and backend
 * start time).
 */
final class AbandonedCreation {
  private static final Logger log = LoggerFactory.getLogger(AbandonedCreation.class);

  private AbandonedCreation() {}

  /** Starts ending {@code walsender} in the background; best effort, never throws. */
  static void end(SourceSettings settings, OwnWalsenders.Identity walsender) {
    if (walsender == null || walsender.backendStart() == null) {
      return;
    }
    SlotCreationExecutor.run(
            () -> {
              terminate(settings, walsender);
              return null;
            })
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                log.warn(
                    "slot {}: could not end walsender PID {} of the abandoned slot creation ({}); it creates the slot"
                        + " once the transactions it waits for end",
                    settings.slot().name(),
                    walsender.pid(),
                    e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
              }
            });
  }

  private static void terminate(SourceSettings settings, OwnWalsenders.Identity walsender)
      throws SQLException {
    try (Connection c =
            DriverManager.getConnection(settings.connection().url(), JdbcProperties.of(settings));
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ? AND backend_start::text = ?")) {
      ps.setInt(1, walsender.pid());
      ps.setString(2, walsender.backendStart());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getBoolean(1)) {
          log.info(
              "slot {}: ended walsender PID {} of the abandoned slot creation",
              settings.slot().name(),
              walsender.pid());
        }
      }
    }
  }
}
