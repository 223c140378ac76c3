package io.slotkeeper;

/**
 * What kind of problem stopped a source for good, so a program can react to it (or word it) without
 * reading the message. The message and {@link SlotkeeperException#remediation()} say the details.
 */
public enum FailureKind {
  /** The server refused the credentials or pg_hba.conf refused the connection (28P01, 28000). */
  AUTHENTICATION,
  /** The role lacks a privilege: REPLICATION, or one the server names (42501). */
  PRIVILEGE,
  /**
   * Something named in the configuration does not exist: the database, the slot, a publication, an
   * object the server names.
   */
  MISSING_OBJECT,
  /** The server does not run with {@code wal_level = logical}. */
  WAL_LEVEL,
  /**
   * The slot was invalidated (the WAL it needed is gone) and {@code slot.on-invalidated = fail}:
   * {@link SourceFailedException#slotConfirmedLsn()} says up to where the consumer has everything.
   */
  SLOT_INVALIDATED,
  /** The configured pgoutput {@code proto-version} is newer than the server speaks. */
  PROTOCOL_VERSION,
  /**
   * Settings that cannot work together with this server or slot (wrong slot type or database,
   * failover slots before 17, a prerequisite the server names).
   */
  CONFIGURATION,
  /** The server sent something that is not valid pgoutput, or broke the protocol's order. */
  INVALID_STREAM,
  /**
   * Not a failure of the source itself: it stopped (was shut down) before what a caller waited for.
   */
  STOPPED,
  /** Anything else. */
  OTHER
}
