package io.slotkeeper.internal.snapshot;

import io.slotkeeper.pgoutput.Relation;
import java.util.List;

/**
 * One table to read for the snapshot, as the publications publish it.
 *
 * @param relation the shape its rows are delivered with: the published columns, replica identity
 *     columns flagged as pgoutput flags them
 * @param qualified the quoted {@code "schema"."table"} to select from
 * @param only whether to select with ONLY: an inheritance parent publishes its own rows only, while
 *     a partitioned table published via its root is read with its partitions
 * @param columnSql the quoted published columns, in relation order
 * @param keySql the quoted primary-key columns in index order, empty for a table without one
 * @param keyTypes each key column's type as {@code format_type} names it, for the range parameter
 * @param rowFilter the publications' row filter (15+), ORed across publications; null when none
 * @param estimatedRows the planner's estimate ({@code pg_class.reltuples}); negative when unknown
 */
record PublishedTable(
    Relation relation,
    String qualified,
    boolean only,
    List<String> columnSql,
    List<String> keySql,
    List<String> keyTypes,
    String rowFilter,
    long estimatedRows) {

  boolean keyed() {
    return !keySql.isEmpty();
  }
}
