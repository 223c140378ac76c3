package io.slotkeeper.internal.physical;

import io.slotkeeper.Lsn;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A server's timeline history, as {@code TIMELINE_HISTORY n} returns the content of {@code
 * 0000000N.history}: one line per ancestor, {@code parentTLI<tab>switchpoint<tab>reason}, in order,
 * each saying that the parent timeline ended at that switch point (where the next one began); lines
 * starting with {@code #} and empty lines are ignored (PostgreSQL's {@code readTimeLineHistory}).
 * The newest timeline, {@code current}, has no end. Pure.
 */
final class TimelineHistory {
  /** Timeline {@code timeline} holds WAL up to (not including) {@code end}. */
  record Entry(int timeline, Lsn end) {}

  private final int current;
  private final List<Entry> ended;

  private TimelineHistory(int current, List<Entry> ended) {
    this.current = current;
    this.ended = List.copyOf(ended);
  }

  /** The history of timeline 1, which has no file: nothing ended before it. */
  static TimelineHistory first() {
    return new TimelineHistory(1, List.of());
  }

  static TimelineHistory parse(int current, String content) {
    List<Entry> entries = new ArrayList<>();
    for (String raw : content.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\\s+", 3);
      if (fields.length < 2) {
        throw new IllegalArgumentException("unreadable timeline history line: " + line);
      }
      int tli = Integer.parseInt(fields[0]);
      if (!entries.isEmpty() && tli <= entries.get(entries.size() - 1).timeline()) {
        throw new IllegalArgumentException("timeline history out of order at: " + line);
      }
      entries.add(new Entry(tli, Lsn.parse(fields[1])));
    }
    if (!entries.isEmpty() && entries.get(entries.size() - 1).timeline() >= current) {
      throw new IllegalArgumentException(
          "timeline history of " + current + " names a timeline that is not older");
    }
    return new TimelineHistory(current, entries);
  }

  int current() {
    return current;
  }

  /** Where {@code timeline} ended; empty for the current timeline or one not in this history. */
  Optional<Lsn> end(int timeline) {
    return ended.stream().filter(e -> e.timeline() == timeline).map(Entry::end).findFirst();
  }

  boolean contains(int timeline) {
    return timeline == current || end(timeline).isPresent();
  }

  /** The timeline that follows {@code timeline} in this history (the current one for the last). */
  int next(int timeline) {
    for (int i = 0; i < ended.size(); i++) {
      if (ended.get(i).timeline() == timeline) {
        return i + 1 < ended.size() ? ended.get(i + 1).timeline() : current;
      }
    }
    throw new IllegalArgumentException("timeline " + timeline + " did not end in this history");
  }

  /**
   * The timeline that holds {@code lsn}, no older than {@code atLeast} (0: any): the first one from
   * there whose end lies after the position, else the current one. A start on an older timeline is
   * what pg_receivewal does with such a directory: the server streams that timeline up to its end
   * and then says which one follows.
   */
  int timelineAt(Lsn lsn, int atLeast) {
    for (Entry e : ended) {
      if (e.timeline() >= atLeast && lsn.isBefore(e.end())) {
        return e.timeline();
      }
    }
    return current;
  }
}
