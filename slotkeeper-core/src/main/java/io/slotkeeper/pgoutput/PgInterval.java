package io.slotkeeper.pgoutput;

/**
 * An interval as PostgreSQL stores it: months, days and microseconds, kept apart because their
 * lengths vary (a month is not 30 days, a day across a DST change is not 24 hours). From PostgreSQL
 * 17, {@code infinity} is all three at their maximum and {@code -infinity} all three at their
 * minimum.
 */
public record PgInterval(int months, int days, long micros) {

  public static final PgInterval INFINITY =
      new PgInterval(Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);
  public static final PgInterval NEGATIVE_INFINITY =
      new PgInterval(Integer.MIN_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE);

  public boolean isInfinite() {
    return equals(INFINITY) || equals(NEGATIVE_INFINITY);
  }
}
