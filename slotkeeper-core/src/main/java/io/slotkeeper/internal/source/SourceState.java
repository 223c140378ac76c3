package io.slotkeeper.internal.source;

import io.slotkeeper.BackfillProgress;
import io.slotkeeper.ConnectedServer;
import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceStatus;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Values a source's actors publish for readers on other threads (the Control, metrics). Each field
 * has exactly one writer, named beside it; everyone else only reads.
 */
@InternalApi
public final class SourceState {
  /** Written by the StatusMonitor. */
  public final AtomicReference<SourceStatus> status = new AtomicReference<>();

  /** Written by the ConnectionActor. */
  public final AtomicLong receivedLsn = new AtomicLong();

  /**
   * Written by the SourceActor (from its DeliveryLedger); read by the ConnectionActor for status
   * updates.
   */
  public final AtomicLong confirmedLsn = new AtomicLong();

  /** Written by the Restarter. */
  public final AtomicLong reconnects = new AtomicLong();

  /** Written by the SourceActor. */
  public final AtomicLong deliveredEnvelopes = new AtomicLong();

  /** Written by the SourceActor. */
  public final AtomicLong acknowledgedTransactions = new AtomicLong();

  /** Written by the SourceActor: delivered units waiting for an acknowledgement. */
  public final AtomicLong unacknowledgedUnits = new AtomicLong();

  /** Written by the AdminActor, one per heal attempt and one per outcome. */
  public final AtomicLong healAttempts = new AtomicLong();

  public final AtomicLong healSucceeded = new AtomicLong();
  public final AtomicLong healUnavailable = new AtomicLong();
  public final AtomicLong healFailed = new AtomicLong();

  /** Written by the AdminActor from its retention checks. */
  public final AtomicLong retainedWalBytes = new AtomicLong(-1);

  public final AtomicLong safeWalSizeBytes = new AtomicLong(-1);
  public final AtomicReference<String> walStatus = new AtomicReference<>("");
  public final AtomicLong lagBytes = new AtomicLong(-1);
  public final AtomicLong lagMillis = new AtomicLong(-1);

  /** The server the latest connection reached; set by the connection at connect. */
  public final AtomicReference<ConnectedServer> server = new AtomicReference<>();

  /** Written by the ConnectionActor while it reads the initial snapshot. */
  public final AtomicReference<SnapshotProgress> snapshot =
      new AtomicReference<>(SnapshotProgress.none());

  /** Written by the BackfillActor. */
  public final AtomicReference<BackfillProgress> backfill =
      new AtomicReference<>(BackfillProgress.none());

  public SourceProgress progress() {
    return new SourceProgress(
        Lsn.of(receivedLsn.get()),
        Lsn.of(confirmedLsn.get()),
        reconnects.get(),
        deliveredEnvelopes.get(),
        acknowledgedTransactions.get(),
        unacknowledgedUnits.get(),
        healAttempts.get(),
        healSucceeded.get(),
        healUnavailable.get(),
        healFailed.get(),
        retainedWalBytes.get(),
        safeWalSizeBytes.get(),
        walStatus.get(),
        lagBytes.get(),
        lagMillis.get(),
        Optional.ofNullable(server.get()),
        snapshot.get(),
        backfill.get());
  }
}
