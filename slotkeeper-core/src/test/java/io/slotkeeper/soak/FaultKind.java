package io.slotkeeper.soak;

/** The faults the soak injects, each caused for real. */
enum FaultKind {
  /** pg_terminate_backend on the slot's walsender. */
  WALSENDER_KILL,
  /** pg_ctl stop -m fast, then start. */
  RESTART_FAST,
  /**
   * pg_ctl stop -m immediate (crash recovery on start; the slot may go back to its last
   * checkpoint).
   */
  RESTART_IMMEDIATE,
  /** Every connection through the proxy reset (RST both ways). */
  TCP_CUT,
  /** The proxy stops moving bytes for a few seconds, connections stay open. */
  BLACKHOLE,
  /** The consumer stops pulling for more than 3× wal_sender_timeout. */
  CONSUMER_STALL,
  /** Another consumer holds the slot for a few seconds while ours is disconnected. */
  SLOT_HELD,
  /** The consumer process crashes; a fresh source starts on the same slot. */
  CONSUMER_CRASH
}
