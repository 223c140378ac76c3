package io.slotkeeper;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What the online backfill ({@code Control.backfill}) is doing.
 *
 * @param state whether a backfill runs, the last one is done, or none was asked for
 * @param table the table being (or last) backfilled ({@code schema.table}); empty when none
 * @param chunks chunks of that table delivered so far by this source (a resumed backfill counts
 *     from where it resumed)
 * @param chunksEstimated the chunks this source expects to read of that table, from the planner's
 *     row count ({@code pg_class.reltuples}) less what an earlier process recorded; -1 when the
 *     server has no estimate (never analyzed)
 * @param rows rows of that table delivered as SNAPSHOT elements so far
 * @param rowsFromStream rows of its chunks left out because the stream changed them between the
 *     chunk's watermarks (the stream carries the newer version)
 * @param queued tables waiting for their turn, in order
 * @param elapsed time since that table's backfill started (until it ended, once done)
 * @param ended tables whose backfill this source ended without finishing, each as {@code
 *     schema.table: why} (a table dropped mid-backfill); their recorded progress is removed
 */
public record BackfillProgress(
    State state,
    String table,
    long chunks,
    long chunksEstimated,
    long rows,
    long rowsFromStream,
    List<String> queued,
    Duration elapsed,
    List<String> ended) {

  public BackfillProgress {
    queued = List.copyOf(queued);
    ended = List.copyOf(ended);
  }

  /** Without an estimate or ended tables. */
  public BackfillProgress(
      State state,
      String table,
      long chunks,
      long rows,
      long rowsFromStream,
      List<String> queued,
      Duration elapsed) {
    this(state, table, chunks, -1, rows, rowsFromStream, queued, elapsed, List.of());
  }

  public enum State {
    /** No backfill was asked for (or resumed) by this source. */
    NONE,
    /** A table is being read chunk by chunk between watermarks. */
    RUNNING,
    /** Every requested table's chunks were delivered. */
    DONE
  }

  public static BackfillProgress none() {
    return new BackfillProgress(State.NONE, "", 0, -1, 0, 0, List.of(), Duration.ZERO, List.of());
  }

  /**
   * The status line's words: {@code backfill: public.orders 12/40 chunks, 11.8k rows (35 from the
   * stream), 14 s, queued public.items} (the estimate while it runs, when the server has one).
   */
  public String describe() {
    return (state == State.DONE ? "backfill done: " : "backfill: ")
        + table
        + " "
        + chunks
        + (state != State.DONE && chunksEstimated >= 0
            ? "/" + Math.max(chunks, chunksEstimated)
            : "")
        + " chunks, "
        + count(rows)
        + " rows ("
        + rowsFromStream
        + " from the stream), "
        + elapsed.toSeconds()
        + " s"
        + (queued.isEmpty() ? "" : ", queued " + String.join(", ", queued))
        + (ended.isEmpty() ? "" : "; ended " + String.join("; ", ended));
  }

  private static String count(long n) {
    if (n >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1fM", n / 1_000_000.0);
    }
    if (n >= 10_000) {
      return String.format(Locale.ROOT, "%.1fk", n / 1_000.0);
    }
    return Long.toString(n);
  }
}
