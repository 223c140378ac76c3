package io.slotkeeper;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * How far the initial snapshot ({@code slot.snapshot = initial}) has come.
 *
 * @param state whether a snapshot is being read, done, or was never taken by this source
 * @param table the table being read ({@code schema.table}), empty when none
 * @param tablesDone tables read completely
 * @param tablesTotal tables of the publications to read
 * @param chunks chunks (key ranges, or fetches of a keyless table's cursor) of the current table
 *     read so far
 * @param chunksEstimated the current table's chunks as estimated from the planner's row count; -1
 *     when the server has no estimate (never analyzed)
 * @param rows rows read from all tables so far
 * @param elapsed time since the snapshot started (until it ended, once done)
 * @param skipped tables not read, each as {@code schema.table: why} (a table dropped after the
 *     snapshot was taken and before a reader reached it); they count as done
 */
public record SnapshotProgress(
    State state,
    String table,
    int tablesDone,
    int tablesTotal,
    long chunks,
    long chunksEstimated,
    long rows,
    Duration elapsed,
    List<String> skipped) {

  public SnapshotProgress {
    skipped = List.copyOf(skipped);
  }

  public enum State {
    /** No snapshot was taken by this source (snapshot off, or the slot already existed). */
    NONE,
    /** The published tables are being read. */
    READING,
    /** Every table was read; streaming started at the slot's consistent point. */
    DONE
  }

  public static SnapshotProgress none() {
    return new SnapshotProgress(State.NONE, "", 0, 0, 0, -1, 0, Duration.ZERO, List.of());
  }

  /**
   * The status line's words: {@code snapshot: public.orders 3/12 chunks, table 2/5, 1.2M rows, 40
   * s}, and the skipped tables by name.
   */
  public String describe() {
    if (state == State.DONE) {
      return "snapshot done: "
          + tablesDone
          + "/"
          + tablesTotal
          + " tables, "
          + count(rows)
          + " rows, "
          + elapsed.toSeconds()
          + " s"
          + (skipped.isEmpty() ? "" : "; skipped " + String.join("; ", skipped));
    }
    return "snapshot: "
        + (table.isEmpty() ? "" : table + " ")
        + chunks
        + (chunksEstimated >= 0 ? "/" + Math.max(chunks, chunksEstimated) : "")
        + " chunks, table "
        + Math.min(tablesDone + 1, Math.max(tablesTotal, 1))
        + "/"
        + tablesTotal
        + ", "
        + count(rows)
        + " rows, "
        + elapsed.toSeconds()
        + " s"
        + (skipped.isEmpty() ? "" : "; skipped " + String.join("; ", skipped));
  }

  /** 950, 12345 → 12.3k, 1234567 → 1.2M: what a person reads at a glance. */
  static String count(long n) {
    if (n < 10_000) {
      return Long.toString(n);
    }
    if (n < 1_000_000) {
      return String.format(Locale.ROOT, "%.1fk", n / 1_000.0);
    }
    return String.format(Locale.ROOT, "%.1fM", n / 1_000_000.0);
  }
}
