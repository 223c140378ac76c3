package io.slotkeeper;

/**
 * How far a replication source has come. The first four are ordered: a waiter for {@code READY} is
 * satisfied by {@code READY} or {@code ACTIVE}. {@code FAILED} stands outside the order: it is
 * terminal and means a person has to act (the status reason says what to do).
 */
public enum StatusLevel {
  /** Not running: never started, or shut down. */
  STOPPED,
  /**
   * Running, but not yet connected with a verified slot (connecting, backing off, waiting for a
   * busy slot).
   */
  STARTING,
  /** Database reachable and slot verified; the replication stream is not (yet) open. */
  READY,
  /** Streaming changes from the slot. */
  ACTIVE,
  /** Stopped for good by an error that retrying cannot fix. */
  FAILED;

  /** True when this level satisfies a wait for {@code wanted}. FAILED satisfies nothing. */
  public boolean reaches(StatusLevel wanted) {
    if (this == FAILED || wanted == FAILED) {
      return this == wanted;
    }
    return ordinal() >= wanted.ordinal();
  }
}
