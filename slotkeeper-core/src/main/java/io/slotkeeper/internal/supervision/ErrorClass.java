package io.slotkeeper.internal.supervision;

import io.slotkeeper.InternalApi;

/** How the Restarter treats an error that ended a connection. */
@InternalApi
public enum ErrorClass {
  /**
   * The path or the server went away (reset, walsender terminated, restart, failover): reconnect
   * with back-off.
   */
  TRANSIENT,
  /**
   * Someone else holds what we need (the slot is active for another PID): wait and retry, say who.
   */
  BUSY,
  /**
   * Configuration or privileges are wrong, or data is unusable: retrying cannot help; a person must
   * act.
   */
  FATAL
}
