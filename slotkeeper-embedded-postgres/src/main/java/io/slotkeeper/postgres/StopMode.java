package io.slotkeeper.postgres;

/**
 * How {@link PostgresServer#stop(StopMode)} shuts the server down; the names are pg_ctl's {@code
 * -m} modes.
 */
public enum StopMode {
  /**
   * Waits for every client to disconnect first; blocks while any connection (a walsender too) stays
   * open.
   */
  SMART("smart"),
  /** Disconnects clients, then shuts down cleanly with a shutdown checkpoint. */
  FAST("fast"),
  /**
   * Kills every server process without a checkpoint, as a crash would; the next start runs crash
   * recovery.
   */
  IMMEDIATE("immediate");

  private final String pgCtlName;

  StopMode(String pgCtlName) {
    this.pgCtlName = pgCtlName;
  }

  String pgCtlName() {
    return pgCtlName;
  }
}
