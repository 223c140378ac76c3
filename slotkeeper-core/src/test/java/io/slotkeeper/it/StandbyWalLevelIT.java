package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13: a standby set to wal_level = logical whose primary runs with wal_level = replica. The
 * standby's own setting passes the source's check; the slot cannot be created there all the same,
 * and the source ends FAILED once, with a fix that names the primary.
 */
class StandbyWalLevelIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PrimaryAndStandby SERVERS =
      PrimaryAndStandby.version(16)
          .table("wl_t", "int", "wl_pub")
          .primarySetting("wal_level", "replica")
          .standbySetting("wal_level", "logical")
          .build();

  @Test
  void failsWithAFixForThePrimary() throws Exception {
    assertThat(SERVERS.standby().queryString("SHOW wal_level")).isEqualTo("logical");
    Harness h =
        Harness.start(
            kit.system(),
            Harness.settings(SERVERS.standby(), "wl_slot", "wl_pub").withCreateSlotIfMissing(true));
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
