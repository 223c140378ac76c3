package io.slotkeeper.internal.source;

import io.slotkeeper.InternalApi;
import java.nio.charset.StandardCharsets;

/**
 * The watermarks of the online backfill: transactional logical messages that the backfill writes,
 * each in its own transaction, before ({@code low}) and after ({@code high}) it selects a chunk.
 * Their prefix is {@link #PREFIX} and their content starts with {@link #CONTENT_MARKER}, so every
 * Slotkeeper source recognises them (its own and other sources') and never delivers them; the rest
 * of the content names the slot, the backfill run (one per source materialization, so a watermark
 * replayed from an earlier process never matches) and the chunk.
 */
@InternalApi
public final class BackfillWatermark {
  public static final String PREFIX = "slotkeeper-backfill";
  static final String CONTENT_MARKER = "slotkeeper backfill v1 ";
  static final byte[] MARKER_BYTES = CONTENT_MARKER.getBytes(StandardCharsets.UTF_8);

  /** A parsed watermark of {@code run}'s chunk {@code chunk}. */
  record Mark(String slot, String run, long chunk, boolean high) {}

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

  /** The watermark in {@code content}, or null when it is none (or of another format). */
  static Mark parse(byte[] content) {
    String s = new String(content, StandardCharsets.UTF_8);
    if (!s.startsWith(CONTENT_MARKER)) {
      return null;
    }
    String[] parts = s.substring(CONTENT_MARKER.length()).split(" ");
    if (parts.length != 4
        || !parts[0].startsWith("slot=")
        || !parts[1].startsWith("run=")
        || !parts[2].startsWith("chunk=")
        || !(parts[3].equals("low") || parts[3].equals("high"))) {
      return null;
    }
    try {
      return new Mark(
          parts[0].substring(5),
          parts[1].substring(4),
          Long.parseLong(parts[2].substring(6)),
          parts[3].equals("high"));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
