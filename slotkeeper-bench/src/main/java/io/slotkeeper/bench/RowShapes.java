package io.slotkeeper.bench;

import io.slotkeeper.bench.PgOutputEncoder.Column;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The two row shapes of the decoder benchmark, with values as PostgreSQL's text output prints them.
 * Values differ from row to row (deterministically) so the benchmark does not decode one cached
 * byte pattern over and over.
 */
public final class RowShapes {
  static final int INT4 = 23;
  static final int INT8 = 20;
  static final int TEXT = 25;
  static final int BOOL = 16;
  static final int NUMERIC = 1700;
  static final int TIMESTAMPTZ = 1184;
  static final int UUID = 2950;
  static final int DATE = 1082;
  static final int JSONB = 3802;
  static final int VARCHAR = 1043;
  static final int FLOAT8 = 701;

  private RowShapes() {}

  /** The narrow row: the catch-up benchmark's table (bigint key, two ints, a short text). */
  public static List<Column> narrow() {
    return List.of(
        new Column("id", INT8, true),
        new Column("a", INT4, false),
        new Column("b", INT4, false),
        new Column("note", TEXT, false));
  }

  public static String[] narrowValues(long i) {
    return new String[] {
      Long.toString(i), Long.toString(i % 1000), Long.toString(i * 2), "row " + i
    };
  }

  /**
   * A 32-column row as an order or customer table might have it: keys, counters, names, money,
   * timestamps, flags, a uuid, a small JSON document, a longer free text, and some NULLs.
   */
  public static List<Column> wide() {
    List<Column> c = new ArrayList<>();
    c.add(new Column("id", INT8, true));
    c.add(new Column("tenant_id", INT4, false));
    c.add(new Column("customer_id", INT8, false));
    c.add(new Column("status", VARCHAR, false));
    c.add(new Column("first_name", TEXT, false));
    c.add(new Column("last_name", TEXT, false));
    c.add(new Column("email", TEXT, false));
    c.add(new Column("phone", TEXT, false));
    c.add(new Column("street", TEXT, false));
    c.add(new Column("city", TEXT, false));
    c.add(new Column("postcode", VARCHAR, false));
    c.add(new Column("country", VARCHAR, false));
    c.add(new Column("amount", NUMERIC, false));
    c.add(new Column("tax", NUMERIC, false));
    c.add(new Column("discount", NUMERIC, false));
    c.add(new Column("currency", VARCHAR, false));
    c.add(new Column("quantity", INT4, false));
    c.add(new Column("weight", FLOAT8, false));
    c.add(new Column("created_at", TIMESTAMPTZ, false));
    c.add(new Column("updated_at", TIMESTAMPTZ, false));
    c.add(new Column("shipped_on", DATE, false));
    c.add(new Column("paid", BOOL, false));
    c.add(new Column("gift", BOOL, false));
    c.add(new Column("external_ref", UUID, false));
    c.add(new Column("attributes", JSONB, false));
    c.add(new Column("comment", TEXT, false));
    c.add(new Column("coupon", TEXT, false));
    c.add(new Column("referrer", TEXT, false));
    c.add(new Column("version", INT4, false));
    c.add(new Column("warehouse_id", INT4, false));
    c.add(new Column("priority", INT4, false));
    c.add(new Column("deleted_at", TIMESTAMPTZ, false));
    return List.copyOf(c);
  }

  public static String[] wideValues(long i) {
    int s = (int) (i % 997);
    return new String[] {
      Long.toString(i),
      Integer.toString(s % 50),
      Long.toString(100_000 + i * 7),
      (i % 3 == 0) ? "shipped" : "pending",
      "Firstname" + s,
      "Lastname-" + (s * 31),
      "user" + i + "@example.com",
      "+44 20 7946 " + String.format(Locale.ROOT, "%04d", s),
      s + " Long Street Name, Building " + (s % 17),
      "Springfield",
      String.format(Locale.ROOT, "SW%d %dAB", s % 20, s % 9),
      "GB",
      (s * 13) + "." + String.format(Locale.ROOT, "%02d", s % 100),
      (s * 2) + ".60",
      "0.00",
      "GBP",
      Integer.toString(1 + s % 12),
      (s % 40) + ".125",
      "2025-03-" + String.format(Locale.ROOT, "%02d", 1 + s % 28) + " 10:15:30.123456+00",
      "2025-04-" + String.format(Locale.ROOT, "%02d", 1 + s % 28) + " 08:01:02.654321+00",
      (s % 5 == 0) ? null : "2025-05-" + String.format(Locale.ROOT, "%02d", 1 + s % 28),
      (s % 2 == 0) ? "t" : "f",
      "f",
      String.format(Locale.ROOT, "%08x-1b2c-4d3e-8f40-%012x", s * 104729, i),
      "{\"size\": \"M\", \"tags\": [\"a\", \"b\"], \"score\": " + s + "}",
      (s % 4 == 0)
          ? null
          : "Please leave the parcel with the neighbour at number " + s + " if nobody answers.",
      (s % 6 == 0) ? "SPRING25" : null,
      null,
      Integer.toString(1 + s % 7),
      Integer.toString(s % 9),
      Integer.toString(s % 3),
      null
    };
  }

  public static List<Column> columns(String shape) {
    return "wide".equals(shape) ? wide() : narrow();
  }

  public static String[] values(String shape, long i) {
    return "wide".equals(shape) ? wideValues(i) : narrowValues(i);
  }
}
