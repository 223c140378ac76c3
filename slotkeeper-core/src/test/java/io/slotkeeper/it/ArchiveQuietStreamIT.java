package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.connection.EmptyReads;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.WalArchiver;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 16, the archiver's side of {@link QuietStreamIT}: a quiet physical stream waits for data
 * instead of polling for it, and what must keep working while it waits still does, each fault
 * caused for real while no WAL is written. wal_sender_timeout is 3 s, so a keepalive goes out every
 * second and the liveness timeout is 3 s.
 */
class ArchiveQuietStreamIT extends ArchiveFixtures {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(17)
          .walSegmentSizeMb(1)
          .setting("wal_keep_size", "256MB")
          .setting("wal_sender_timeout", "3s")
          .build();

  @Override
  PostgresServer pg() {
    return PG.server();
  }

  /**
   * The archiver's count of reads that found nothing ({@link EmptyReads}) over six quiet seconds.
   * Waiting for data, each read is caused by something the server sent: about one keepalive reply a
   * second, each read up to one empty read after it. Polling with the 1–10 ms back-off made about a
   * hundred a second.
   */
  @Test
  void aQuietArchiveDoesNotPoll() throws Exception {
    Path dir = temp.resolve("quiet");
    ArchiveControl control =
        WalArchiver.start(kit.system(), settings("arch_quiet", dir).withCreateSlot(true));
    try {
      awaitLevel(control, StatusLevel.ACTIVE);
      awaitFlushed(control, writeSome());
      Thread.sleep(1000);
      long before = EmptyReads.ofArchive(dir);
      int seconds = 6;
      Thread.sleep(seconds * 1000L);
      long empty = EmptyReads.ofArchive(dir) - before;
      System.out.println("archive: empty reads in " + seconds + " quiet seconds: " + empty);
      assertThat(empty)
          .as("reads that found nothing in %d quiet seconds (keepalive every second)", seconds)
          .isLessThanOrEqualTo(3L * seconds);
      assertThat(control.progress().reconnects()).isZero();
      // Still reading: WAL written after the quiet spell arrives.
      awaitFlushed(control, writeSome());
    } finally {
      shutdown(control);
    }
  }

  /** Four wal_sender_timeouts without WAL: the keepalives keep the same walsender alive. */
  @Test
  void keepalivesKeepAQuietArchiveAlive() throws Exception {
    Path dir = temp.resolve("keep");
    ArchiveControl control =
        WalArchiver.start(kit.system(), settings("arch_keep", dir).withCreateSlot(true));
    try {
      awaitLevel(control, StatusLevel.ACTIVE);
      awaitFlushed(control, writeSome());
      int pid = pg().waitForActiveWalsender("arch_keep", WAIT);
      Thread.sleep(12_000);
      assertThat(pg().waitForActiveWalsender("arch_keep", Duration.ofSeconds(1)))
          .as("the walsender that was streaming 12 s ago")
          .isEqualTo(pid);
      assertThat(control.progress().reconnects()).isZero();
      assertThat(control.status().level()).isEqualTo(StatusLevel.ACTIVE);
      awaitFlushed(control, writeSome());
    } finally {
      shutdown(control);
    }
  }

  /** A walsender terminated while the archive waits is noticed at once; the archive goes on. */
  @Test
  void aWalsenderTerminatedWhileQuietIsNoticed() throws Exception {
    Path dir = temp.resolve("term");
    ArchiveControl control =
        WalArchiver.start(kit.system(), settings("arch_term", dir).withCreateSlot(true));
    try {
      awaitLevel(control, StatusLevel.ACTIVE);
      for (int round = 0; round < 3; round++) {
        Lsn mid = writeSome();
        awaitFlushed(control, mid);
        Thread.sleep(1500);
        int pid = pg().waitForActiveWalsender("arch_term", WAIT);
        long reconnects = control.progress().reconnects();
        assertThat(pg().terminateWalsender("arch_term")).isEqualTo(pid);
        // Well inside the liveness timeout and the next keepalive's write failing would take: the
        // terminated walsender's error (or its closed socket) wakes the waiting stream.
        Harness.await(
            "the terminated walsender to be noticed",
            Duration.ofSeconds(10),
            () -> control.progress().reconnects() > reconnects);
        awaitLevel(control, StatusLevel.ACTIVE);
      }
      Lsn end = writeAndSwitch();
      awaitFlushed(control, end);
    } finally {
      shutdown(control);
    }
    java.util.List<String> names = completeSegments(dir);
    assertContiguous(names);
    assertSameAsServer(dir, names);
  }
}
