package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15: two-phase decoding needs pgoutput's two_phase option (PostgreSQL 15). On 14 (and 13,
 * through the same check) the source ends FAILED at once, naming the key and the fix, before any
 * slot is created and without a retry loop.
 */
class TwoPhasePg14IT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().version(14).setting("max_prepared_transactions", "10").build();

  @BeforeAll
  static void schema() {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE tp (id int PRIMARY KEY)");
    pg.execute("CREATE PUBLICATION tp_pub FOR TABLE tp");
  }

  @Test
  void twoPhaseOnPostgres14FailsOnceNamingTheSettingAndTheVersion() throws Exception {
    assertThat(PG.server().version()).isEqualTo(14);
    Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(PG.server(), "tp_slot", "tp_pub")
                .withCreateSlotIfMissing(true)
                .withTwoPhase(true));
    try {
      Throwable failed =
          catchThrowableOfType(
              () ->
                  h.control
                      .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(20))
                      .toCompletableFuture()
                      .get(25, TimeUnit.SECONDS),
              ExecutionException.class);
      assertThat(failed).as("the source must fail, not wait").isNotNull();
      assertThat(failed.getCause()).isInstanceOf(SourceFailedException.class);
      SourceStatus status = h.control.status();
      assertThat(status.level()).isEqualTo(StatusLevel.FAILED);
      assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
      assertThat(status.reason())
          .contains("slot.two-phase")
          .contains("PostgreSQL 15")
          .contains("PostgreSQL 14");
      SourceFailedException e = (SourceFailedException) failed.getCause();
      assertThat(e.kind()).isEqualTo(FailureKind.CONFIGURATION);
      assertThat(e.remediation()).contains("slot.two-phase = off").contains("PostgreSQL 15");
      assertThat(
              PG.server()
                  .queryLong(
                      "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'tp_slot'"))
          .as("no slot was created")
          .isZero();
    } finally {
      h.close();
    }
  }
}
