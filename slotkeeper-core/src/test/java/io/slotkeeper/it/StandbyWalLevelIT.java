package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a standby set to wal_level = logical whose primary runs with wal_level = replica. The
 * standby's own setting passes the source's check; the slot cannot be created there all the same,
 * and the source ends FAILED once, with a fix that names the primary.
 */
class StandbyWalLevelIT extends ActorSystemPerClass {

  private static PostgresServer primary;
  private static PostgresServer standby;

  @BeforeAll
  static void servers() {
    primary = PostgresServer.builder().version(16).setting("wal_level", "replica").start();
    primary.execute("CREATE TABLE wl_t (id int PRIMARY KEY)");
    primary.execute("CREATE PUBLICATION wl_pub FOR TABLE wl_t");
    standby = primary.startStandby(Map.of("wal_level", "logical", "hot_standby_feedback", "on"));
  }

  @AfterAll
  static void stopServers() {
    if (standby != null) {
      standby.close();
    }
    if (primary != null) {
      primary.close();
    }
  }

  @Test
  void failsWithAFixForThePrimary() throws Exception {
    assertThat(standby.queryString("SHOW wal_level")).isEqualTo("logical");
    Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(standby, "wl_slot", "wl_pub").withCreateSlotIfMissing(true));
    try {
      h.control
          .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(20))
          .toCompletableFuture()
          .get(25, TimeUnit.SECONDS);
      throw new AssertionError("expected the source to fail");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(SourceFailedException.class);
    }
    assertThat(h.control.status().level()).isEqualTo(StatusLevel.FAILED);
    assertThat(h.control.progress().reconnects()).as("no retry loop").isZero();
    SourceFailedException f = h.control.status().error().orElseThrow();
    assertThat(f.kind()).isEqualTo(FailureKind.WAL_LEVEL);
    assertThat(f.problem()).contains("primary");
    assertThat(f.remediation())
        .contains("on the primary")
        .contains("wal_level = logical")
        .contains("restart");
    h.close();
  }
}
