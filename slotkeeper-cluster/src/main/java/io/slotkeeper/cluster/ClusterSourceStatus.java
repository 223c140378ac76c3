package io.slotkeeper.cluster;

import io.slotkeeper.Lsn;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One snapshot of a clustered source, taken by the singleton on the node that hosts it.
 *
 * <p>The level and reason are the replication source's own (see {@link StatusLevel}), except
 * between two runs on the same node: while the singleton waits to restart a run whose stream ended,
 * the level is {@code STARTING} (or {@code FAILED} after an error that needs a person) and the
 * reason says why and when the next attempt is. Positions and counters are those of the current run
 * on {@link #node()}; they start again on each node and after each restart.
 *
 * @param singletonName the singleton's name, the same on every node
 * @param slotName the replication slot
 * @param node the address of the node that hosts the singleton and answered
 * @param level the level, as a replication source's
 * @param reason why it is at that level; empty when there is nothing to say
 * @param since when the current run entered this level
 * @param confirmedLsn the acknowledged position: what the slot may be confirmed to, in commit order
 * @param receivedLsn the furthest WAL position received from the server
 * @param lagBytes {@code receivedLsn - confirmedLsn}, 0 when either is unknown or confirmed is
 *     ahead
 * @param deliveredEnvelopes envelopes handed to the flow in the current run
 * @param acknowledgedTransactions transactions acknowledged in the current run
 * @param reconnects connections lost and re-opened in the current run
 * @param restarts runs started again on this node after their stream ended (a failed flow, a FAILED
 *     source)
 * @param lastFailure why the previous run on this node ended; empty if none did
 * @param error for {@code FAILED}: the replication source's failure with its kind, problem,
 *     remediation and (for an invalidated slot) last confirmed LSN apart, as {@link
 *     io.slotkeeper.SourceStatus#error()}; on another node than the host without its cause (an
 *     exception's cause does not cross nodes). Empty otherwise
 * @param waiting for {@code STARTING} within a run: what the source waits for, as {@link
 *     io.slotkeeper.SourceStatus#waiting()}; empty otherwise (also between runs, where the reason
 *     says when the next one starts)
 */
public record ClusterSourceStatus(
    String singletonName,
    String slotName,
    String node,
    StatusLevel level,
    String reason,
    Instant since,
    Lsn confirmedLsn,
    Lsn receivedLsn,
    long lagBytes,
    long deliveredEnvelopes,
    long acknowledgedTransactions,
    long reconnects,
    long restarts,
    String lastFailure,
    Optional<SourceFailedException> error,
    Optional<Waiting> waiting) {

  public ClusterSourceStatus {
    Objects.requireNonNull(singletonName, "singletonName");
    Objects.requireNonNull(slotName, "slotName");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(level, "level");
    reason = reason == null ? "" : reason;
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(confirmedLsn, "confirmedLsn");
    Objects.requireNonNull(receivedLsn, "receivedLsn");
    lastFailure = lastFailure == null ? "" : lastFailure;
    error = error == null ? Optional.empty() : error;
    waiting = waiting == null ? Optional.empty() : waiting;
  }

  /** A status with neither a structured failure nor a wait. */
  public ClusterSourceStatus(
      String singletonName,
      String slotName,
      String node,
      StatusLevel level,
      String reason,
      Instant since,
      Lsn confirmedLsn,
      Lsn receivedLsn,
      long lagBytes,
      long deliveredEnvelopes,
      long acknowledgedTransactions,
      long reconnects,
      long restarts,
      String lastFailure) {
    this(
        singletonName,
        slotName,
        node,
        level,
        reason,
        since,
        confirmedLsn,
        receivedLsn,
        lagBytes,
        deliveredEnvelopes,
        acknowledgedTransactions,
        reconnects,
        restarts,
        lastFailure,
        Optional.empty(),
        Optional.empty());
  }

  /** Bytes received but not yet acknowledged; 0 when either position is unknown. */
  public static long lag(Lsn received, Lsn confirmed) {
    if (!received.isValid() || !confirmed.isValid() || !received.isAfter(confirmed)) {
      return 0;
    }
    return received.minus(confirmed);
  }

  /** The reason the previous run on this node ended, if one did. */
  public Optional<String> lastFailureReason() {
    return lastFailure.isEmpty() ? Optional.empty() : Optional.of(lastFailure);
  }

  /**
   * Equal when every component is, the failure compared by its fields (kind, problem, remediation,
   * slot LSN) rather than as the same exception object: what crossed nodes equals what was sent.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterSourceStatus s
        && singletonName.equals(s.singletonName)
        && slotName.equals(s.slotName)
        && node.equals(s.node)
        && level == s.level
        && reason.equals(s.reason)
        && since.equals(s.since)
        && confirmedLsn.equals(s.confirmedLsn)
        && receivedLsn.equals(s.receivedLsn)
        && lagBytes == s.lagBytes
        && deliveredEnvelopes == s.deliveredEnvelopes
        && acknowledgedTransactions == s.acknowledgedTransactions
        && reconnects == s.reconnects
        && restarts == s.restarts
        && lastFailure.equals(s.lastFailure)
        && errorFields(error).equals(errorFields(s.error))
        && waiting.equals(s.waiting);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        singletonName,
        slotName,
        node,
        level,
        reason,
        since,
        confirmedLsn,
        receivedLsn,
        lagBytes,
        deliveredEnvelopes,
        acknowledgedTransactions,
        reconnects,
        restarts,
        lastFailure,
        errorFields(error),
        waiting);
  }

  private static Optional<List<Object>> errorFields(Optional<SourceFailedException> error) {
    return error.map(e -> List.of(e.kind(), e.problem(), e.remediation(), e.slotConfirmedLsn()));
  }

  @Override
  public String toString() {
    return singletonName
        + "@"
        + node
        + ": "
        + (reason.isEmpty() ? level.toString() : level + " (" + reason + ")")
        + ", confirmed "
        + confirmedLsn
        + ", received "
        + receivedLsn
        + ", lag "
        + lagBytes
        + " bytes";
  }
}
