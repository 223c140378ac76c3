package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import java.util.HashMap;
import java.util.Map;

/**
 * A timeline's history file as TIMELINE_HISTORY returns it: for each earlier timeline of the
 * server's WAL, the position where it was left (its switchpoint). Below a switchpoint, every LSN of
 * the old timeline names the same WAL record on the new one: a promoted standby replayed exactly
 * that WAL before it forked. Lines are {@code <parent timeline>\t<switchpoint>\t<reason>}; comments
 * and blank lines are skipped.
 */
@InternalApi
public final class TimelineHistory {
  private final int timeline;
  private final Map<Integer, Lsn> switchpoints;

  private TimelineHistory(int timeline, Map<Integer, Lsn> switchpoints) {
    this.timeline = timeline;
    this.switchpoints = Map.copyOf(switchpoints);
  }

  /** Parses the history file of {@code timeline}. */
  public static TimelineHistory parse(int timeline, String content) {
    Map<Integer, Lsn> switchpoints = new HashMap<>();
    for (String line : content.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] fields = trimmed.split("\\s+", 3);
      if (fields.length < 2) {
        throw new IllegalArgumentException("not a timeline history line: " + line);
      }
      switchpoints.put(Integer.parseInt(fields[0]), Lsn.parse(fields[1]));
    }
    return new TimelineHistory(timeline, switchpoints);
  }

  /** The timeline whose history this is. */
  public int timeline() {
    return timeline;
  }

  /**
   * Where this timeline's WAL forked from {@code ancestor}: the end of what it shares with it; null
   * when {@code ancestor} is not in its history.
   */
  public Lsn switchpoint(int ancestor) {
    return switchpoints.get(ancestor);
  }
}
