package io.slotkeeper;

/**
 * Positions and counters of a running WAL archiver, read without asking any actor.
 *
 * @param flushedLsn WAL on disk (fsynced) in the archive: the only position reported to the server
 *     as flushed, so the slot never passes it
 * @param writtenLsn WAL written to the archive's files, not necessarily fsynced yet
 * @param receivedLsn the end of the WAL received from the server
 * @param serverWalEnd the server's WAL end as its last keepalive said; invalid until one came
 * @param timeline the timeline being archived; 0 before the first start
 * @param currentSegment the file being written ({@code ....partial}); empty when none is open
 * @param segmentsCompleted segments completed (renamed) by this archiver
 * @param bytesWritten WAL bytes written by this archiver (repeats after a reconnect excluded)
 * @param reconnects how many times a connection ended and a new one was started
 * @param start how the last start position was chosen, in words (empty before the first)
 * @param bytesPerSecond WAL bytes written per second over the last five seconds (0 when idle)
 */
public record ArchiveProgress(
    Lsn flushedLsn,
    Lsn writtenLsn,
    Lsn receivedLsn,
    Lsn serverWalEnd,
    int timeline,
    String currentSegment,
    long segmentsCompleted,
    long bytesWritten,
    long reconnects,
    String start,
    double bytesPerSecond) {

  /** WAL the server has that the archive has not made durable; -1 while unknown. */
  public long lagBytes() {
    if (!serverWalEnd.isValid() || !flushedLsn.isValid()) {
      return -1;
    }
    return Math.max(0, serverWalEnd.minus(flushedLsn));
  }
}
