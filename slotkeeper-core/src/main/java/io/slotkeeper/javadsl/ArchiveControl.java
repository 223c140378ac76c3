package io.slotkeeper.javadsl;

import io.slotkeeper.ArchiveProgress;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;

/**
 * Handle of a running {@link WalArchiver}: its status (the same levels as a replication source:
 * STARTING, READY, ACTIVE while streaming, FAILED, STOPPED), its progress, and its end.
 */
public interface ArchiveControl {
  SourceStatus status();

  ArchiveProgress progress();

  /** Completes once the archiver reaches {@code level}; fails on FAILED, STOPPED or timeout. */
  CompletionStage<SourceStatus> waitUntil(StatusLevel level, Duration timeout);

  /** Calls {@code listener} with every new status; close the handle to stop. */
  StatusSubscription subscribe(Consumer<SourceStatus> listener);

  /**
   * Stops reading (a final status update tells the server what is on disk), lets the writer finish
   * and fsync what it holds, and stops. The segment in progress stays {@code .partial}.
   */
  CompletionStage<Done> shutdown();

  /** Completes when the archiver has stopped, however it ended. */
  CompletionStage<Done> isShutdown();
}
