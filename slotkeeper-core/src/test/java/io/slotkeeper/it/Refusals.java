package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.internal.supervision.ErrorClassifier;
import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;

/**
 * The two halves of every "this server cannot do that" test: the source refuses before it asks
 * (FAILED once, no retry loop), and should it ask anyway, the server's own refusal is FATAL too.
 */
final class Refusals {
  private Refusals() {}

  /**
   * Waits for {@code h} to fail instead of becoming ACTIVE; checks it is FAILED without a single
   * reconnect, and returns the failure (its status holds the same in fields).
   */
  static SourceFailedException failsOnce(Harness h) throws Exception {
    Throwable failed =
        catchThrowableOfType(
            () ->
                h.control
                    .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(20))
                    .toCompletableFuture()
                    .get(25, TimeUnit.SECONDS),
            ExecutionException.class);
    assertThat(failed).as("the source must fail, not stream").isNotNull();
    assertThat(failed.getCause()).isInstanceOf(SourceFailedException.class);
    assertThat(h.control.status().level()).isEqualTo(StatusLevel.FAILED);
    assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
    return (SourceFailedException) failed.getCause();
  }

  /**
   * Sends {@code startReplication} to {@code pg} as the engine would and classifies the server's
   * refusal, which must come, and be FATAL.
   */
  static Classification serverRefusal(PostgresServer pg, String startReplication)
      throws SQLException {
    SQLException refused;
    try (Connection c = pg.connectReplication()) {
      refused =
          catchThrowableOfType(
              () -> c.unwrap(PGConnection.class).getCopyAPI().copyDual(startReplication),
              SQLException.class);
    }
    assertThat((Throwable) refused)
        .as("PostgreSQL %s refuses %s", pg.version(), startReplication)
        .isNotNull();
    Classification c = ErrorClassifier.classify(refused, "postgres", "postgres");
    assertThat(c.errorClass())
        .as(refused.getSQLState() + " " + refused.getMessage())
        .isEqualTo(ErrorClass.FATAL);
    return c;
  }
}
