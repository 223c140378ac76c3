package io.slotkeeper.soak;

import io.slotkeeper.Lsn;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares what each consumer incarnation received with the oracle, and the polled confirmed
 * positions with what had been acknowledged. Shares nothing with the engine's ledger: its only
 * inputs are the oracle's units, the units the consumers rebuilt from envelopes, the
 * acknowledgement times and the slot's confirmed_flush_lsn as the server reported it.
 */
final class Checker {
  /** One incarnation's view for the checks: where the slot stood when it started, what it got. */
  record Life(int number, Lsn startConfirmed, List<Unit> delivered) {}

  private static final int SHOWN = 4;
  final List<String> failures = new ArrayList<>();
  long lost;
  long duplicated;
  long redelivered;
  long confirmedViolations;

  private final List<Unit> oracle;
  private final Map<Lsn, Integer> oracleIndex = new HashMap<>();

  Checker(List<Unit> oracle) {
    this.oracle = oracle;
    for (int i = 0; i < oracle.size(); i++) {
      if (oracleIndex.put(oracle.get(i).position(), i) != null) {
        throw new IllegalStateException("two oracle units at " + oracle.get(i).position());
      }
      if (i > 0 && !oracle.get(i).position().isAfter(oracle.get(i - 1).position())) {
        throw new IllegalStateException(
            "oracle positions not increasing at " + oracle.get(i).describe());
      }
    }
  }

  /**
   * Index of the first oracle unit the server sends again when the slot stands at {@code
   * confirmed}.
   */
  private int firstUnconfirmed(Lsn confirmed) {
    int i = 0;
    while (i < oracle.size() && oracle.get(i).confirmedBy(confirmed)) {
      i++;
    }
    return i;
  }

  /**
   * Checks 1-3: each incarnation receives exactly the oracle's units from the first one above the
   * slot's confirmed position at its start, in order, without gaps or repeats; the last one
   * receives everything; what an earlier incarnation got but never acknowledged comes again.
   */
  void checkDeliveries(List<Life> lives, AckLog acks) {
    Set<Lsn> deliveredEver = new HashSet<>();
    List<Unit> unacknowledgedBefore = new ArrayList<>();
    for (int l = 0; l < lives.size(); l++) {
      Life life = lives.get(l);
      int from = firstUnconfirmed(life.startConfirmed());
      for (Unit u : unacknowledgedBefore) {
        if (u.confirmedBy(life.startConfirmed())) {
          fail(
              "check 3 (unacknowledged comes again): incarnation "
                  + life.number()
                  + " starts at confirmed "
                  + life.startConfirmed()
                  + ", past "
                  + u.describe()
                  + " which no consumer acknowledged");
        }
      }
      Set<Lsn> seen = new HashSet<>();
      int expected = from;
      for (Unit got : life.delivered()) {
        if (!seen.add(got.position())) {
          duplicated++;
          fail(
              "check 2 (no duplicates): incarnation "
                  + life.number()
                  + " received twice "
                  + got.describe());
          continue;
        }
        if (deliveredEver.contains(got.position())) {
          redelivered++;
        }
        Integer at = oracleIndex.get(got.position());
        if (at == null) {
          fail(
              "check 1 (only committed units): incarnation "
                  + life.number()
                  + " received a unit the server never committed: "
                  + got.describe());
          continue;
        }
        if (at > expected) {
          for (int i = expected; i < at; i++) {
            fail(
                "check 1 (nothing lost, commit order): incarnation "
                    + life.number()
                    + " (started at confirmed "
                    + life.startConfirmed()
                    + ") skipped "
                    + oracle.get(i).describe()
                    + "; next received was "
                    + got.describe());
          }
        } else if (at < expected) {
          fail(
              "check "
                  + (at < from ? "3 (only unconfirmed come again)" : "1 (commit order)")
                  + ": incarnation "
                  + life.number()
                  + " (started at confirmed "
                  + life.startConfirmed()
                  + ") received "
                  + got.describe()
                  + " out of order, expected "
                  + (expected < oracle.size() ? oracle.get(expected).describe() : "nothing more"));
        }
        Unit want = oracle.get(at);
        if (!want.changes().equals(got.changes())) {
          fail(
              "check 1 (content): "
                  + got.describe()
                  + " differs from the server's: "
                  + firstDifference(want, got));
        }
        expected = Math.max(expected, at + 1);
      }
      life.delivered().forEach(u -> deliveredEver.add(u.position()));
      unacknowledgedBefore.clear();
      for (Unit u : life.delivered()) {
        if (acks.firstAck(u.position()) == null) {
          unacknowledgedBefore.add(u);
        }
      }
      if (l == lives.size() - 1 && expected < oracle.size()) {
        fail(
            "check 1 (nothing lost): the last incarnation ended without "
                + (oracle.size() - expected)
                + " committed units, from "
                + oracle.get(expected).describe());
      }
    }
    for (Unit u : oracle) {
      if (!deliveredEver.contains(u.position())) {
        lost++;
      }
    }
  }

  /**
   * Check 4: a polled confirmed_flush_lsn never lies past a unit (transaction or standalone
   * message) that was not acknowledged by the time the poll returned.
   */
  void checkConfirmed(List<ConfirmedFlushPoller.Poll> polls, AckLog acks) {
    // For each prefix of the oracle: is anything in it unacknowledged, else its latest
    // acknowledgement.
    boolean[] prefixUnacknowledged = new boolean[oracle.size()];
    long[] prefixLatestAck = new long[oracle.size()];
    boolean unacknowledged = false;
    Long latest = null;
    for (int i = 0; i < oracle.size(); i++) {
      Long at = acks.firstAck(oracle.get(i).position());
      unacknowledged |= at == null;
      if (at != null && (latest == null || at - latest > 0)) {
        latest = at;
      }
      prefixUnacknowledged[i] = unacknowledged;
      prefixLatestAck[i] = latest == null ? 0 : latest;
    }
    int covered = 0;
    Lsn previous = Lsn.INVALID;
    Set<Lsn> reported = new HashSet<>();
    for (ConfirmedFlushPoller.Poll poll : polls) {
      // Polls are mostly increasing; a crash restart can move the slot back, so walk both ways.
      if (poll.confirmed().isBefore(previous)) {
        covered = 0;
      }
      previous = poll.confirmed();
      while (covered < oracle.size() && oracle.get(covered).confirmedBy(poll.confirmed())) {
        covered++;
      }
      if (covered > 0
          && (prefixUnacknowledged[covered - 1]
              || prefixLatestAck[covered - 1] - poll.returnedNanos() > 0)) {
        confirmedViolations++;
        for (int i = 0; i < covered; i++) {
          Long at = acks.firstAck(oracle.get(i).position());
          if (at == null || at - poll.returnedNanos() > 0) {
            if (!reported.add(oracle.get(i).position())) {
              continue;
            }
            fail(
                "check 4 (confirmed never passes the unacknowledged): confirmed_flush_lsn "
                    + poll.confirmed()
                    + " is past "
                    + oracle.get(i).describe()
                    + ", which was "
                    + (at == null
                        ? "never acknowledged"
                        : "acknowledged only "
                            + (at - poll.returnedNanos()) / 1_000_000
                            + " ms after that poll returned"));
          }
        }
      }
    }
  }

  /** Check 5: problems met while applying, and differences from the source tables. */
  void checkReplica(List<String> applyProblems, List<String> differences) {
    applyProblems.forEach(p -> fail("check 5 (replica): " + p));
    differences.forEach(d -> fail("check 5 (replica equals source): " + d));
  }

  void anomalies(List<String> consumerAnomalies) {
    consumerAnomalies.forEach(this::fail);
  }

  private void fail(String what) {
    failures.add(what);
  }

  /**
   * Failures grouped by check, with the count and the first few of each, for a readable message.
   */
  String report() {
    Map<String, List<String>> byCheck = new java.util.LinkedHashMap<>();
    for (String f : failures) {
      byCheck.computeIfAbsent(f.substring(0, f.indexOf(':')), k -> new ArrayList<>()).add(f);
    }
    StringBuilder out = new StringBuilder(failures.size() + " failed checks");
    byCheck.forEach(
        (check, list) -> {
          out.append("\n  ").append(check).append(": ").append(list.size());
          list.stream().limit(SHOWN).forEach(f -> out.append("\n    - ").append(f));
        });
    return out.toString();
  }

  private static String firstDifference(Unit want, Unit got) {
    for (int i = 0; i < Math.max(want.changes().size(), got.changes().size()); i++) {
      String w = i < want.changes().size() ? want.changes().get(i) : "(nothing)";
      String g = i < got.changes().size() ? got.changes().get(i) : "(nothing)";
      if (!w.equals(g)) {
        return "change " + i + ": server " + w + " / received " + g;
      }
    }
    return "(none)";
  }
}
