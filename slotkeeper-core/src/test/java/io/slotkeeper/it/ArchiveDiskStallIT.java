package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.physical.Archiver;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14: a disk that stalls for 3× wal_sender_timeout while the server writes far more WAL than
 * the writing stream buffers. The connection stops reading the socket (the archive's received
 * position stays behind the server's) while its keepalives go on (the server's reply_time for it
 * keeps moving), so the walsender does not time out: no reconnect, and afterwards nothing is
 * missing.
 */
class ArchiveDiskStallIT extends ArchiveFixtures {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .walSegmentSizeMb(1)
          .setting("wal_keep_size", "512MB")
          .setting("wal_sender_timeout", "2s")
          .build();

  @Override
  PostgresServer pg() {
    return PG.server();
  }

  private String replyTime() {
    return pg().queryString(
            "SELECT reply_time::text FROM pg_stat_replication WHERE application_name = 'slotkeeper:arch_stall'");
  }

  @Test
  void aDiskStallLongerThanTheSenderTimeoutLosesNothingAndCausesNoReconnect() throws Exception {
    Path dir = temp.resolve("stall");
    AtomicBoolean stalled = new AtomicBoolean(false);
    CountDownLatch release = new CountDownLatch(1);
    ArchiveControl control =
        Archiver.start(
            kit.system(),
            settings("arch_stall", dir).withCreateSlot(true),
            () -> {
              if (stalled.get()) {
                try {
                  release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
    awaitLevel(control, StatusLevel.ACTIVE);
    awaitFlushed(control, writeAndSwitch());

    stalled.set(true);
    try {
      stallAndCheck(control, dir, release);
    } finally {
      release.countDown();
    }
  }

  private void stallAndCheck(ArchiveControl control, Path dir, CountDownLatch release)
      throws Exception {
    long stallStart = System.nanoTime();
    Lsn serverEnd = Lsn.INVALID;
    // About 60 MB of WAL (each switch sends the rest of its 1 MB segment): more than the stream
    // buffers (about 30 MB) and the socket buffers together.
    for (int i = 0; i < 60; i++) {
      serverEnd = writeAndSwitch();
    }
    // The window between the two reply times must itself be as long as wal_sender_timeout (2 s,
    // three keepalive intervals): writing the WAL above can take most of the 6 s stall on a busy
    // machine, and a window that is too short to hold a keepalive proves nothing either way.
    String replyBefore = replyTime();
    long windowStart = System.nanoTime();
    long sixSeconds = Duration.ofSeconds(6).toNanos();
    long senderTimeout = Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() - stallStart < sixSeconds
        || System.nanoTime() - windowStart < senderTimeout) {
      Thread.sleep(200);
    }
    String replyAfter = replyTime();
    Lsn received = control.progress().receivedLsn();
    assertThat(serverEnd.minus(received))
        .as("the connection stopped reading: received %s, server at %s", received, serverEnd)
        .isGreaterThan(4L << 20);
    assertThat(replyAfter).as("status updates went on during the stall").isNotEqualTo(replyBefore);
    assertThat(control.progress().reconnects()).isZero();

    release.countDown();
    awaitFlushed(control, serverEnd);
    assertThat(control.progress().reconnects()).as("no reconnect after a 6 s stall").isZero();
    shutdown(control);
    List<String> names = completeSegments(dir);
    assertThat(names).hasSizeGreaterThanOrEqualTo(60);
    assertContiguous(names);
    assertSameAsServer(dir, names);
  }
}
