package io.slotkeeper.internal.connection;

import java.time.Duration;

/** What a connection learned about the server during setup. */
record ServerFacts(
    int serverVersionNum,
    String walLevel,
    Duration walSenderTimeout,
    String database,
    int backendPid,
    /* pg_is_in_recovery(): the server is a standby. */
    boolean inRecovery,
    /* hot_standby_feedback: a standby tells its primary which rows its queries and slots need. */
    boolean hotStandbyFeedback) {

  public int majorVersion() {
    return serverVersionNum / 10000;
  }
}
