package io.slotkeeper;

import java.util.Objects;

/**
 * The server a source's latest connection reached, as it said at connect: where (the host and port
 * the driver connected to, which with a multi-host URL tells which one it picked), which database
 * cluster ({@code systemIdentifier}, shared by a primary and its physical standbys), which timeline
 * its WAL is on (a promotion starts the next one), and whether it was a standby ({@code
 * pg_is_in_recovery()}).
 */
public record ConnectedServer(
    String host, int port, String systemIdentifier, int timeline, boolean standby) {
  public ConnectedServer {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(systemIdentifier, "systemIdentifier");
  }

  @Override
  public String toString() {
    return host
        + ":"
        + port
        + " ("
        + (standby ? "standby" : "primary")
        + ", system "
        + systemIdentifier
        + ", timeline "
        + timeline
        + ")";
  }
}
