package io.slotkeeper.internal.source;

import io.slotkeeper.InternalApi;
import java.nio.charset.StandardCharsets;

/**
 * The watermarks of the online backfill: transactional logical messages that the backfill writes,
 * each in its own transaction, before ({@code low}) and after ({@code high}) it selects a chunk.
 * Their prefix is {@link #PREFIX} and their content starts with {@link #CONTENT_MARKER}, so every
 * Slotkeeper source recognises them (its own and other sources') and never delivers them; the rest
 * of the content names the slot, the backfill run (one per source materialization) and the chunk,
 * for a person reading the WAL. The source knows its current chunk's watermarks by their
 * transactions' xids, told before they commit (PostgreSQL 13's pgoutput sends no messages).
 */
@InternalApi
public final class BackfillWatermark {
  public static final String PREFIX = "slotkeeper-backfill";
  static final String CONTENT_MARKER = "slotkeeper backfill v1 ";
  static final byte[] MARKER_BYTES = CONTENT_MARKER.getBytes(StandardCharsets.UTF_8);

  private BackfillWatermark() {}

  /** What the backfill writes as the content of a watermark. */
  public static String content(String slot, String run, long chunk, boolean high) {
    return CONTENT_MARKER
        + "slot="
        + slot
        + " run="
        + run
        + " chunk="
        + chunk
        + (high ? " high" : " low");
  }
}
