package io.slotkeeper.pgoutput;

import java.time.Instant;

/**
 * Conversion between PostgreSQL's wire timestamps and {@link Instant}.
 *
 * <p>The replication protocol sends {@code TimestampTz} as a signed int64 count of microseconds
 * since 2000-01-01 00:00:00 UTC (PostgreSQL's epoch, not Unix's). {@code Long.MAX_VALUE} and {@code
 * Long.MIN_VALUE} are the server's {@code infinity} and {@code -infinity}; they map to {@link
 * Instant#MAX} and {@link Instant#MIN} so that a commit timestamp can never make decoding fail.
 *
 * <p>Part of the public decoding package because {@link PgOutputDecoder} needs it and a public
 * package depends on no internal one; the engine's frame reader ({@code internal.wire}) uses it
 * from here.
 */
public final class PgTimestamps {

  /** Seconds from 1970-01-01 to 2000-01-01 (30 years, 7 of them leap years). */
  public static final long PG_EPOCH_OFFSET_SECONDS = 946_684_800L;

  private PgTimestamps() {}

  /** Exact conversion; every int64 maps to an Instant (the range of Instant is far wider). */
  public static Instant fromPgMicros(long micros) {
    if (micros == Long.MAX_VALUE) {
      return Instant.MAX;
    }
    if (micros == Long.MIN_VALUE) {
      return Instant.MIN;
    }
    // floorDiv/floorMod keep the nanosecond part non-negative for pre-2000 values, which is
    // what Instant.ofEpochSecond expects for an exact result.
    long seconds = Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_OFFSET_SECONDS;
    long nanos = Math.floorMod(micros, 1_000_000L) * 1_000L;
    return Instant.ofEpochSecond(seconds, nanos);
  }

  /**
   * The wire value for {@code instant}, truncated (towards the past) to whole microseconds. {@link
   * Instant#MAX}/{@link Instant#MIN} give the infinity sentinels.
   *
   * @throws IllegalArgumentException if the instant is outside what int64 microseconds can hold
   *     (roughly ±292,000 years around 2000) and is not one of the two sentinels
   */
  public static long toPgMicros(Instant instant) {
    if (instant.equals(Instant.MAX)) {
      return Long.MAX_VALUE;
    }
    if (instant.equals(Instant.MIN)) {
      return Long.MIN_VALUE;
    }
    try {
      long seconds = Math.subtractExact(instant.getEpochSecond(), PG_EPOCH_OFFSET_SECONDS);
      long fraction = instant.getNano() / 1_000L;
      // For the most negative values seconds * 10^6 alone would overflow although the sum fits;
      // borrowing one second keeps every intermediate in range.
      long micros =
          seconds < 0 && fraction > 0
              ? Math.multiplyExact(seconds + 1, 1_000_000L) + (fraction - 1_000_000L)
              : Math.addExact(Math.multiplyExact(seconds, 1_000_000L), fraction);
      if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
        // Would be read back as infinity; refuse rather than silently change meaning.
        throw new ArithmeticException();
      }
      return micros;
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(
          "instant " + instant + " cannot be expressed as PostgreSQL microseconds");
    }
  }
}
