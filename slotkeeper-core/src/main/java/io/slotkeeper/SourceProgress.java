package io.slotkeeper;

/**
 * Counters and positions of a running source, read without asking any actor.
 *
 * @param receivedLsn the furthest WAL position received from the server
 * @param confirmedLsn the position the slot may be confirmed to (acknowledged, in commit order)
 * @param reconnects how many times a connection ended and a new one was started
 * @param deliveredEnvelopes envelopes handed to the stream (duplicates from replays excluded)
 * @param acknowledgedTransactions transactions (and standalone messages) acknowledged
 */
public record SourceProgress(
    Lsn receivedLsn, Lsn confirmedLsn, long reconnects, long deliveredEnvelopes, long acknowledgedTransactions) {}
