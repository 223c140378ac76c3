package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.WalArchiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: the archiver's two cheapest scenarios, which still cover what differs between versions
 * (READ_REPLICATION_SLOT on 15+, pg_replication_slots before): byte-identical segments with the
 * slot never past the disk, and the article's emptied directory continuing from the slot. Run on
 * every version from 13 to 18 ({@code ArchivePgNNIT}); 13 and 17 run the full {@link
 * ArchiveScenarios}.
 */
abstract class ArchiveCoreScenarios extends ArchiveFixtures {

  @Test
  void completedSegmentsAreTheServersOwnBytesAndTheSlotNeverPassesTheDisk() throws Exception {
    Path dir = temp.resolve("bytes");
    ArchiveControl control =
        WalArchiver.start(kit.system(), settings("arch_bytes", dir).withCreateSlot(true));
    awaitLevel(control, StatusLevel.ACTIVE);
    // Where the server reserved WAL when it created the slot: not a position the archiver
    // reported. Until the archiver's first flush its flushed position is 0/0 (a check that compared
    // the two failed once, right after the first switch), so only a restart_lsn moved past this by
    // our feedback must be on disk.
    Lsn reserved = restartLsn("arch_bytes");
    Lsn flushedThen = control.progress().flushedLsn();
    if (flushedThen.isValid()) {
      // Already flushed something: then the reservation may already be our feedback's.
      assertThat(reserved).isLessThanOrEqualTo(flushedThen);
    }
    Lsn target = Lsn.INVALID;
    for (int i = 0; i < 4; i++) {
      target = writeAndSwitch();
      // Durability: whatever the slot says it holds for us is on the archive's disk.
      Lsn slotAt = restartLsn("arch_bytes");
      Lsn onDisk = control.progress().flushedLsn();
      if (!slotAt.equals(reserved)) {
        assertThat(slotAt)
            .as("restart_lsn %s never past what is fsynced (%s)", slotAt, onDisk)
            .isLessThanOrEqualTo(onDisk);
      }
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
}
