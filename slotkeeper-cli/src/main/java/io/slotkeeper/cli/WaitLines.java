package io.slotkeeper.cli;

import io.slotkeeper.StatusLevel;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides, from the successive statuses of a source, when the program owes the person a line
 * about what it is waiting for: when a wait starts, when what it waits for changes, and when it
 * ends. Pure (no I/O, the clock is passed in), so it is unit-tested without a database.
 *
 * <p>The engine's reasons change more often than the situation does: a blocked creation's reason
 * counts heal attempts and the age of each blocking transaction every heal interval, and a retry
 * names its (jittered) delay. Each wait therefore has a key with those counters left out; a line
 * is due only when the key changes. Reasons of the steps in between ("connecting to ...",
 * "creating replication slot X" before anything blocks) neither start nor end a wait: a busy slot
 * or an unreachable server goes through them on every retry.
 */
final class WaitLines {
  /** What a wait is about; decides how its end is worded. */
  enum Kind { CREATION, BUSY, RETRY }

  private static final Pattern RETRY_DELAY = Pattern.compile("; (retrying|reconnecting) in \\d+ ms$");
  private static final Pattern PID = Pattern.compile("PID (\\d+)");
  private static final Pattern HEAL = Pattern.compile("heal attempts \\d+ \\(([^)]*)\\)");
  private static final Pattern OUTCOME = Pattern.compile("\\d+ ([a-z]+)");

  private Kind kind;
  private String key;
  private long sinceNanos;
  /** When the creation in progress began (its reason comes a heal interval before the first blocked one), or -1. */
  private long creationStartNanos = -1;

  /** The kind of the wait in progress, or null. */
  Kind waiting() {
    return kind;
  }

  /**
   * Takes the next status; returns the line that is due because of it, or null. On ACTIVE the
   * line ends the wait in progress; the caller may drop it when it prints its own line there.
   */
  String next(StatusLevel level, String reason, long nowNanos) {
    if (level == StatusLevel.ACTIVE) {
      creationStartNanos = -1;
      return end(nowNanos, "streaming");
    }
    if (level == StatusLevel.FAILED || level == StatusLevel.STOPPED) {
      clear(); // the command reports how it ended
      return null;
    }
    Kind k = classify(reason);
    if (k == null && reason.startsWith("creating replication slot ")) {
      creationStartNanos = nowNanos;
      return null;
    }
    if (k == null) {
      // Creation that stopped waiting goes on to verify the slot: the wait is over.
      if (kind == Kind.CREATION && reason.contains(" verified")) {
        return end(nowNanos, "slot creation finished");
      }
      return null;
    }
    String newKey = k + "|" + keyOf(k, reason);
    if (newKey.equals(key)) {
      return null;
    }
    if (kind == null) {
      sinceNanos = k == Kind.CREATION && creationStartNanos >= 0 ? creationStartNanos : nowNanos;
    }
    creationStartNanos = -1;
    kind = k;
    key = newKey;
    return "waiting: " + reason;
  }

  private String end(long nowNanos, String what) {
    if (kind == null) {
      return null;
    }
    Kind ended = kind;
    double secs = (nowNanos - sinceNanos) / 1e9;
    clear();
    String waitedFor = switch (ended) {
      case CREATION -> "blocked slot creation";
      case BUSY -> "the slot to be free";
      case RETRY -> "the server";
    };
    return String.format(Locale.ROOT, "%s after waiting %.1f s for %s", what, secs, waitedFor);
  }

  private void clear() {
    kind = null;
    key = null;
    creationStartNanos = -1;
  }

  static Kind classify(String reason) {
    if (reason.startsWith("creating replication slot ") && reason.contains(": waiting for")) {
      return Kind.CREATION;
    }
    Matcher m = RETRY_DELAY.matcher(reason);
    if (m.find()) {
      return m.group(1).equals("retrying") ? Kind.BUSY : Kind.RETRY;
    }
    return null;
  }

  /** What identifies the situation: who blocks or holds, and what the heal did; no counters, no delays. */
  static String keyOf(Kind kind, String reason) {
    String text = RETRY_DELAY.matcher(reason).replaceFirst("");
    switch (kind) {
      case CREATION -> {
        Matcher heal = HEAL.matcher(text);
        TreeSet<String> outcomes = new TreeSet<>();
        int healStart = text.length();
        if (heal.find()) {
          healStart = heal.start();
          Matcher o = OUTCOME.matcher(heal.group(1));
          while (o.find()) {
            outcomes.add(o.group(1));
          }
        }
        return pids(text.substring(0, healStart)) + " heal " + outcomes
            + (text.contains("snapshot to become consistent") ? " consistent" : "");
      }
      case BUSY -> {
        String pids = pids(text);
        return pids.equals("[]") ? text : pids;
      }
      default -> {
        return text;
      }
    }
  }

  private static String pids(String text) {
    TreeSet<Integer> pids = new TreeSet<>();
    Matcher m = PID.matcher(text);
    while (m.find()) {
      pids.add(Integer.parseInt(m.group(1)));
    }
    return pids.toString();
  }
}
