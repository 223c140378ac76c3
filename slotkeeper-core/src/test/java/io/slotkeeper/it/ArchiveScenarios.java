package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.WalArchiver;
import io.slotkeeper.postgres.StopMode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: the WAL archiver against a real server, run on PostgreSQL 13 (no READ_REPLICATION_SLOT:
 * the slot is read from pg_replication_slots) and 17 by the subclasses. The server has 1 MB
 * segments and keeps 256 MB of WAL (wal_keep_size), so every segment the archive completes is still
 * in the server's pg_wal to compare with, byte for byte.
 */
abstract class ArchiveScenarios extends ArchiveCoreScenarios {

  @Test
  void withoutASlotAnEmptyDirectoryIsRefusedUnlessTheGapIsAllowed() throws Exception {
    Path dir = temp.resolve("gap");
    ArchiveControl refused = WalArchiver.start(kit.system(), settings("", dir));
    refused.isShutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
    SourceStatus status = refused.status();
    assertThat(status.level()).isEqualTo(StatusLevel.FAILED);
    SourceFailedException error = status.error().orElseThrow();
    assertThat(error.kind()).isEqualTo(FailureKind.CONFIGURATION);
    assertThat(error.problem()).contains("no segment", "no slot is used");
    assertThat(error.remediation()).contains("--allow-gap");
    assertThat(refused.progress().reconnects()).isZero();

    Lsn serverAt = writeSome();
    ArchiveControl allowed = WalArchiver.start(kit.system(), settings("", dir).withAllowGap(true));
    awaitLevel(allowed, StatusLevel.ACTIVE);
    assertThat(allowed.progress().start()).contains("NOT archived");
    Lsn end = writeAndSwitch();
    awaitFlushed(allowed, end);
    shutdown(allowed);
    List<String> names = completeSegments(dir);
    assertThat(segmentNumber(names.get(0))).isGreaterThanOrEqualTo(serverAt.value() >>> 20);
    assertContiguous(names);
    assertSameAsServer(dir, names);
  }

  @Test
  void aWalsenderKilledMidSegmentContinuesThePartialWithNothingMissingOrDoubled() throws Exception {
    Path dir = temp.resolve("kill");
    ArchiveControl control =
        WalArchiver.start(kit.system(), settings("arch_kill", dir).withCreateSlot(true));
    awaitLevel(control, StatusLevel.ACTIVE);
    writeAndSwitch();
    Lsn mid = writeSome();
    awaitFlushed(control, mid);
    String partial = partialSegments(dir).get(0);
    assertThat(segmentNumber(partial)).isEqualTo(mid.value() >>> 20);
    pg().waitForActiveWalsender("arch_kill", WAIT);
    assertThat(pg().terminateWalsender("arch_kill")).isPositive();
    Harness.await("the archiver to reconnect", WAIT, () -> control.progress().reconnects() >= 1);
    awaitLevel(control, StatusLevel.ACTIVE);
    writeSome();
    Lsn end = writeAndSwitch();
    awaitFlushed(control, end);
    shutdown(control);
    List<String> names = completeSegments(dir);
    assertThat(names).contains(partial.substring(0, 24));
    assertContiguous(names);
    assertSameAsServer(dir, names);
  }

  /**
   * The server stopped fast and then immediately (crash, recovery) while a segment is partial: the
   * archiver reconnects each time and continues the .partial; nothing missing or doubled.
   */
  @Test
  void serverRestartsFastAndImmediateContinueThePartial() throws Exception {
    Path dir = temp.resolve("restart");
    ArchiveControl control =
        WalArchiver.start(kit.system(), settings("arch_restart", dir).withCreateSlot(true));
    awaitLevel(control, StatusLevel.ACTIVE);
    writeAndSwitch();
    long reconnects = 0;
    for (StopMode mode : List.of(StopMode.FAST, StopMode.IMMEDIATE)) {
      Lsn mid = writeSome();
      awaitFlushed(control, mid);
      String partial = partialSegments(dir).get(0);
      pg().stop(mode);
      pg().start();
      long before = reconnects;
      Harness.await(
          "the archiver to reconnect after a " + mode + " restart",
          WAIT,
          () -> control.progress().reconnects() > before);
      reconnects = control.progress().reconnects();
      awaitLevel(control, StatusLevel.ACTIVE);
      Lsn end = writeAndSwitch();
      awaitFlushed(control, end);
      assertThat(completeSegments(dir)).contains(partial.substring(0, 24));
    }
    shutdown(control);
    List<String> names = completeSegments(dir);
    assertContiguous(names);
    assertSameAsServer(dir, names);
  }
}
