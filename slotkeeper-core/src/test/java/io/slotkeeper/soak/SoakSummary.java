package io.slotkeeper.soak;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The figures printed at the end of a run. */
record SoakSummary(
    SoakConfig config,
    long rows,
    long transactions,
    long messages,
    long bigTransactions,
    long clientCommits,
    long clientRollbacks,
    long clientErrors,
    Map<FaultKind, Integer> faults,
    long restarts,
    long reconnects,
    long lost,
    long duplicated,
    long redelivered,
    long polls,
    long pollsPastUnacknowledged,
    long failedChecks,
    Duration runTime) {

  static long count(List<Unit> units, String prefix) {
    return units.stream()
        .mapToLong(u -> u.changes().stream().filter(c -> c.startsWith(prefix)).count())
        .sum();
  }

  @Override
  public String toString() {
    int faultTotal = faults.values().stream().mapToInt(Integer::intValue).sum();
    return String.join(
        "\n",
        "==== soak summary (" + config + ")",
        "  committed on the server: "
            + rows
            + " row changes in "
            + transactions
            + " transactions ("
            + bigTransactions
            + " over logical_decoding_work_mem attempted), "
            + messages
            + " logical messages",
        "  writers: "
            + clientCommits
            + " commits, "
            + clientRollbacks
            + " rollbacks, "
            + clientErrors
            + " errors (deadlocks, faults)",
        "  faults: " + faultTotal + " " + faults,
        "  consumer restarts: "
            + restarts
            + ", engine reconnects: "
            + reconnects
            + ", confirmed_flush polls: "
            + polls
            + " ("
            + pollsPastUnacknowledged
            + " past something unacknowledged)",
        "  lost: "
            + lost
            + ", duplicated within an incarnation: "
            + duplicated
            + ", re-delivered after a restart: "
            + redelivered,
        "  failed checks: " + failedChecks + ", run time: " + runTime.toSeconds() + " s");
  }
}
