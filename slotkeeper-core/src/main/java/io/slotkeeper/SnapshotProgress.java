package io.slotkeeper;

import java.time.Duration;

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
 */
public record SnapshotProgress(
    State state,
    String table,
    int tablesDone,
    int tablesTotal,
    long chunks,
    long chunksEstimated,
    long rows,
    Duration elapsed) {

  public enum State {
    /** No snapshot was taken by this source (snapshot off, or the slot already existed). */
    NONE,
    /** The published tables are being read. */
    READING,
    /** Every table was read; streaming started at the slot's consistent point. */
    DONE
  }

  public static SnapshotProgress none() {
    return new SnapshotProgress(State.NONE, "", 0, 0, 0, -1, 0, Duration.ZERO);
  }

  /** The status line's words: {@code snapshot: public.orders 3/12 chunks, 120000 rows, 40 s}. */
  public String describe() {
    return "snapshot: "
        + (table.isEmpty() ? "" : table + " ")
        + chunks
        + (chunksEstimated >= 0 ? "/" + Math.max(chunks, chunksEstimated) : "")
        + " chunks, table "
        + Math.min(tablesDone + 1, Math.max(tablesTotal, 1))
        + "/"
        + tablesTotal
        + ", "
        + rows
        + " rows, "
        + elapsed.toSeconds()
        + " s";
  }
}
