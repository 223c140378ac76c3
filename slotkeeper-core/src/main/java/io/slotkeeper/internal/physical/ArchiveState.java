package io.slotkeeper.internal.physical;

import io.slotkeeper.ArchiveProgress;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceStatus;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What an archiver's parts share without messages: the writer publishes what is on disk, the
 * connection what it received and why it started where it did. Each field has one writer.
 */
final class ArchiveState {
  final AtomicReference<SourceStatus> status = new AtomicReference<>();

  /** Written by the writing stage after each fsync; read by the connection for status updates. */
  final AtomicLong flushed = new AtomicLong();

  final AtomicLong written = new AtomicLong();
  final AtomicLong bytesWritten = new AtomicLong();
  final AtomicLong segmentsCompleted = new AtomicLong();
  final AtomicReference<String> currentSegment = new AtomicReference<>("");
  final Throughput throughput = new Throughput();

  /** Written by the connection. */
  final AtomicLong received = new AtomicLong();

  final AtomicLong serverWalEnd = new AtomicLong();
  final AtomicLong timeline = new AtomicLong();
  final AtomicReference<String> start = new AtomicReference<>("");

  /**
   * Told after each fsync; a synchronous archiver's connection sets it to report the new flush
   * position at once.
   */
  final AtomicReference<Runnable> flushListener = new AtomicReference<>(() -> {});

  void flushedNow() {
    flushListener.get().run();
  }

  /** Written by the Restarter. */
  final AtomicLong reconnects = new AtomicLong();

  ArchiveProgress progress() {
    return new ArchiveProgress(
        Lsn.of(flushed.get()),
        Lsn.of(written.get()),
        Lsn.of(received.get()),
        Lsn.of(serverWalEnd.get()),
        (int) timeline.get(),
        currentSegment.get(),
        segmentsCompleted.get(),
        bytesWritten.get(),
        reconnects.get(),
        start.get(),
        throughput.perSecond(System.nanoTime()));
  }
}
