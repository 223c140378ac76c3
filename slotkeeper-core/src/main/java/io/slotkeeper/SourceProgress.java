package io.slotkeeper;

/**
 * Counters and positions of a running source, read without asking any actor.
 *
 * @param receivedLsn the furthest WAL position received from the server
 * @param confirmedLsn the position the slot may be confirmed to (acknowledged, in commit order)
 * @param reconnects how many times a connection ended and a new one was started
 * @param deliveredEnvelopes envelopes handed to the stream (duplicates from replays excluded)
 * @param acknowledgedTransactions transactions (and standalone messages) acknowledged
 * @param healAttempts how often a blocked slot creation was healed (pg_log_standby_snapshot tried)
 * @param healSucceeded attempts where pg_log_standby_snapshot() ran
 * @param healUnavailable attempts where it could not run: server older than 16, or no EXECUTE
 * @param healFailed attempts that failed otherwise (e.g. the admin connection broke)
 */
public record SourceProgress(
    Lsn receivedLsn,
    Lsn confirmedLsn,
    long reconnects,
    long deliveredEnvelopes,
    long acknowledgedTransactions,
    long healAttempts,
    long healSucceeded,
    long healUnavailable,
    long healFailed) {}
