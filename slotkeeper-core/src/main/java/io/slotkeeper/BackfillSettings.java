package io.slotkeeper;

import java.util.Objects;

/**
 * The online backfill ({@code Control.backfill}; the {@code backfill} block of reference.conf).
 * Immutable; every {@code withXxx} returns a changed copy.
 */
public final class BackfillSettings {
  private final String progressTable;
  private final int chunkSize;

  BackfillSettings(String progressTable, int chunkSize) {
    this.progressTable = Objects.requireNonNull(progressTable, "progressTable");
    this.chunkSize = chunkSize;
  }

  /**
   * The table ({@code schema.table}) in the source database where each backfill's progress is
   * recorded, keyed by slot and table; created on first use.
   */
  public String progressTable() {
    return progressTable;
  }

  /** Rows per backfill chunk (one primary-key range between two watermarks). */
  public int chunkSize() {
    return chunkSize;
  }

  public BackfillSettings withProgressTable(String v) {
    return new BackfillSettings(v, chunkSize);
  }

  public BackfillSettings withChunkSize(int v) {
    return new BackfillSettings(progressTable, v);
  }

  @Override
  public String toString() {
    return "BackfillSettings(progressTable=" + progressTable + ", chunkSize=" + chunkSize + ")";
  }
}
