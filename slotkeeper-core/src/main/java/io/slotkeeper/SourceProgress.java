package io.slotkeeper;

import java.util.Objects;
import java.util.Optional;

/**
 * Counters and positions of a running source, read without asking any actor.
 *
 * @param receivedLsn the furthest WAL position received from the server
 * @param confirmedLsn the position the slot may be confirmed to (acknowledged, in commit order)
 * @param reconnects how many times a connection ended and a new one was started
 * @param deliveredEnvelopes envelopes handed to the stream (duplicates from replays excluded)
 * @param acknowledgedTransactions transactions (and standalone messages) acknowledged
 * @param unacknowledgedUnits transactions (and standalone messages) delivered and not yet
 *     acknowledged
 * @param healAttempts how often a blocked slot creation was healed (pg_log_standby_snapshot tried)
 * @param healSucceeded attempts where pg_log_standby_snapshot() ran
 * @param healUnavailable attempts where it could not run: server older than 16, or no EXECUTE
 * @param healFailed attempts that failed otherwise (e.g. the admin connection broke)
 * @param retainedWalBytes WAL the slot keeps on the server ({@code current LSN - restart_lsn}); -1
 *     until read
 * @param safeWalSizeBytes WAL that can still be written before the slot is invalidated; -1 when
 *     unlimited or unknown
 * @param walStatus the slot's wal_status (reserved, extended, unreserved, lost); empty until read
 * @param lagBytes WAL not yet confirmed ({@code current LSN - confirmed_flush_lsn}); -1 until read
 * @param lagMillis the server's flush lag for our walsender (pg_stat_replication); -1 when unknown
 * @param server the server the latest connection reached (host, system identifier, timeline,
 *     primary or standby); empty before the first connection got that far
 * @param snapshot how far the initial snapshot has come ({@code slot.snapshot = initial})
 * @param backfill what the online backfill ({@code Control.backfill}) is doing
 */
public record SourceProgress(
    Lsn receivedLsn,
    Lsn confirmedLsn,
    long reconnects,
    long deliveredEnvelopes,
    long acknowledgedTransactions,
    long unacknowledgedUnits,
    long healAttempts,
    long healSucceeded,
    long healUnavailable,
    long healFailed,
    long retainedWalBytes,
    long safeWalSizeBytes,
    String walStatus,
    long lagBytes,
    long lagMillis,
    Optional<ConnectedServer> server,
    SnapshotProgress snapshot,
    BackfillProgress backfill) {

  public SourceProgress {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(backfill, "backfill");
  }

  /** Progress with no backfill. */
  public SourceProgress(
      Lsn receivedLsn,
      Lsn confirmedLsn,
      long reconnects,
      long deliveredEnvelopes,
      long acknowledgedTransactions,
      long unacknowledgedUnits,
      long healAttempts,
      long healSucceeded,
      long healUnavailable,
      long healFailed,
      long retainedWalBytes,
      long safeWalSizeBytes,
      String walStatus,
      long lagBytes,
      long lagMillis,
      Optional<ConnectedServer> server,
      SnapshotProgress snapshot) {
    this(
        receivedLsn,
        confirmedLsn,
        reconnects,
        deliveredEnvelopes,
        acknowledgedTransactions,
        unacknowledgedUnits,
        healAttempts,
        healSucceeded,
        healUnavailable,
        healFailed,
        retainedWalBytes,
        safeWalSizeBytes,
        walStatus,
        lagBytes,
        lagMillis,
        server,
        snapshot,
        BackfillProgress.none());
  }

  /** Progress with no server known yet and no snapshot. */
  public SourceProgress(
      Lsn receivedLsn,
      Lsn confirmedLsn,
      long reconnects,
      long deliveredEnvelopes,
      long acknowledgedTransactions,
      long unacknowledgedUnits,
      long healAttempts,
      long healSucceeded,
      long healUnavailable,
      long healFailed,
      long retainedWalBytes,
      long safeWalSizeBytes,
      String walStatus,
      long lagBytes,
      long lagMillis) {
    this(
        receivedLsn,
        confirmedLsn,
        reconnects,
        deliveredEnvelopes,
        acknowledgedTransactions,
        unacknowledgedUnits,
        healAttempts,
        healSucceeded,
        healUnavailable,
        healFailed,
        retainedWalBytes,
        safeWalSizeBytes,
        walStatus,
        lagBytes,
        lagMillis,
        Optional.empty(),
        SnapshotProgress.none(),
        BackfillProgress.none());
  }

  /** The progress of a source that has not started: nothing received, nothing read yet. */
  public static SourceProgress none() {
    return new SourceProgress(
        Lsn.INVALID,
        Lsn.INVALID,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        -1,
        -1,
        "",
        -1,
        -1,
        Optional.empty(),
        SnapshotProgress.none(),
        BackfillProgress.none());
  }
}
