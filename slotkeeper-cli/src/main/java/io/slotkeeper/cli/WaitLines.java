package io.slotkeeper.cli;

import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Decides, from the successive statuses of a source, when the program owes the person a line about
 * what it is waiting for: when a wait starts, when what it waits for changes, and when it ends.
 * Pure (no I/O, the clock is passed in), so it is unit-tested without a database.
 *
 * <p>It reads what the source waits for from {@link SourceStatus#waiting()}, never from the
 * reason's words, and prints the reason as the engine wrote it. The engine's reasons change more
 * often than the situation does: a blocked creation's reason counts heal attempts and the age of
 * each blocking transaction every heal interval, and a retry names its (jittered) delay. Each wait
 * therefore has a key made of the fields that name the situation (who blocks or holds, what the
 * heal did, why the connection failed), without counters or delays; a line is due only when the key
 * changes. Statuses of the steps in between ("connecting to ...", "creating replication slot X"
 * before anything blocks) wait for nothing and neither start nor end a wait: a busy slot or an
 * unreachable server goes through them on every retry.
 */
final class WaitLines {
  private Waiting.Kind kind;
  private String key;
  private long sinceNanos;

  /** The kind of the wait in progress, or null. */
  Waiting.Kind waiting() {
    return kind;
  }

  /**
   * Takes the next status; returns the line that is due because of it, or null. On ACTIVE the line
   * ends the wait in progress; the caller may drop it when it prints its own line there.
   */
  String next(SourceStatus status, long nowNanos) {
    StatusLevel level = status.level();
    if (level == StatusLevel.ACTIVE) {
      return end(nowNanos, "streaming");
    }
    if (level == StatusLevel.FAILED || level == StatusLevel.STOPPED) {
      clear(); // the command reports how it ended
      return null;
    }
    Waiting w = status.waiting().orElse(null);
    if (w == null) {
      // A created slot is verified next (READY): a blocked creation is over.
      if (kind == Waiting.Kind.CREATION_BLOCKED && level == StatusLevel.READY) {
        return end(nowNanos, "slot creation finished");
      }
      return null;
    }
    String newKey = w.kind() + "|" + keyOf(w);
    if (newKey.equals(key)) {
      return null;
    }
    if (kind == null) {
      // A blocked creation is counted from the start of creation, a heal interval before it is
      // first seen blocked.
      sinceNanos =
          w instanceof Waiting.CreationBlocked c ? nowNanos - c.waited().toNanos() : nowNanos;
    }
    kind = w.kind();
    key = newKey;
    return "waiting: " + status.reason();
  }

  private String end(long nowNanos, String what) {
    if (kind == null) {
      return null;
    }
    Waiting.Kind ended = kind;
    double secs = (nowNanos - sinceNanos) / 1e9;
    clear();
    String waitedFor =
        switch (ended) {
          case CREATION_BLOCKED -> "blocked slot creation";
          case SLOT_BUSY -> "the slot to be free";
          case RECONNECTING -> "the server";
        };
    return String.format(Locale.ROOT, "%s after waiting %.1f s for %s", what, secs, waitedFor);
  }

  private void clear() {
    kind = null;
    key = null;
  }

  /**
   * What identifies the situation: who blocks or holds, what the heal did, why reconnecting; no
   * counters, no delays.
   */
  static String keyOf(Waiting w) {
    if (w instanceof Waiting.CreationBlocked c) {
      TreeSet<String> outcomes = new TreeSet<>();
      if (c.heal().succeeded() > 0) {
        outcomes.add("ok");
      }
      if (c.heal().unavailable() > 0) {
        outcomes.add("unavailable");
      }
      if (c.heal().failed() > 0) {
        outcomes.add("failed");
      }
      // No blockers left: the wait is for the snapshot to become consistent.
      return new TreeSet<>(c.blockerPids())
          + " heal "
          + outcomes
          + (c.blockerPids().isEmpty() ? " consistent" : "");
    }
    if (w instanceof Waiting.SlotBusy b) {
      return b.holderPid().isPresent()
          ? Integer.toString(b.holderPid().getAsInt())
          : "unknown holder";
    }
    return ((Waiting.Reconnecting) w).cause();
  }
}
