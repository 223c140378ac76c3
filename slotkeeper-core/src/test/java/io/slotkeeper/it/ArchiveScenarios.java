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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: the WAL archiver against a real server, run on PostgreSQL 13 (no READ_REPLICATION_SLOT:
 * the slot is read from pg_replication_slots) and 17 by the subclasses. The server has 1 MB
 * segments and keeps 256 MB of WAL (wal_keep_size), so every segment the archive completes is still
 * in the server's pg_wal to compare with, byte for byte.
 */
abstract class ArchiveScenarios extends ArchiveFixtures {

  @Test
  void completedSegmentsAreTheServersOwnBytesAndTheSlotNeverPassesTheDisk() throws Exception {
    Path dir = temp.resolve("bytes");
    ArchiveControl control =
        WalArchiver.start(kit.system(), settings("arch_bytes", dir).withCreateSlot(true));
    awaitLevel(control, StatusLevel.ACTIVE);
    Lsn target = Lsn.INVALID;
    for (int i = 0; i < 4; i++) {
      target = writeAndSwitch();
      // Durability: whatever the slot says it holds for us is on the archive's disk.
      Lsn slotAt = restartLsn("arch_bytes");
      Lsn onDisk = control.progress().flushedLsn();
      assertThat(slotAt)
          .as("restart_lsn %s never past what is fsynced (%s)", slotAt, onDisk)
          .isLessThanOrEqualTo(onDisk);
    }
    Lsn mid = writeSome();
    awaitFlushed(control, mid);
    shutdown(control);
    assertThat(control.status().level()).as("after a shutdown").isEqualTo(StatusLevel.STOPPED);
    List<String> names = completeSegments(dir);
    assertThat(names).hasSizeGreaterThanOrEqualTo(4);
    assertContiguous(names);
    assertSameAsServer(dir, names);
    assertThat(partialSegments(dir)).hasSize(1);
    assertThat(segmentNumber(partialSegments(dir).get(0)))
        .isEqualTo(segmentNumber(names.get(names.size() - 1)) + 1);
    Lsn slotAt = restartLsn("arch_bytes");
    assertThat(slotAt)
        .isGreaterThanOrEqualTo(target)
        .isLessThanOrEqualTo(control.progress().flushedLsn());
  }

  /**
   * The article's scenario: archive, stop, empty the directory, let the server write more, start
   * again with the same slot. pg_receivewal started at the server's position and skipped the WAL in
   * between; the archiver starts at the slot's restart_lsn, so no segment is missing.
   */
  @Test
  void anEmptiedDirectoryContinuesFromTheSlotWithNoSegmentMissing() throws Exception {
    Path dir = temp.resolve("article");
    ArchiveControl first =
        WalArchiver.start(kit.system(), settings("arch_article", dir).withCreateSlot(true));
    awaitLevel(first, StatusLevel.ACTIVE);
    writeAndSwitch();
    writeAndSwitch();
    Lsn mid = writeSome();
    awaitFlushed(first, mid);
    shutdown(first);
    List<String> before = completeSegments(dir);
    assertThat(before).isNotEmpty();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    // Nobody archives these: only the slot keeps them.
    writeAndSwitch();
    writeAndSwitch();
    writeAndSwitch();

    ArchiveControl second = WalArchiver.start(kit.system(), settings("arch_article", dir));
    awaitLevel(second, StatusLevel.ACTIVE);
    String start = second.progress().start();
    Lsn end = writeAndSwitch();
    awaitFlushed(second, end);
    shutdown(second);
    List<String> after = completeSegments(dir);
    List<String> all = new ArrayList<>(before);
    all.addAll(after);
    assertContiguous(all);
    assertThat(segmentNumber(after.get(0)))
        .as("the second run starts with the segment the first left partial")
        .isEqualTo(segmentNumber(before.get(before.size() - 1)) + 1);
    assertThat(start)
        .contains(pg().version() >= 15 ? "READ_REPLICATION_SLOT" : "pg_replication_slots");
    assertThat(after).hasSizeGreaterThanOrEqualTo(4);
    assertSameAsServer(dir, after);
  }

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
