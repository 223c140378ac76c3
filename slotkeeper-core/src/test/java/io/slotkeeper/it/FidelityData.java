package io.slotkeeper.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Shape and contents of the decoder fidelity tables: one column per built-in type family, rows that
 * push each type to its extremes, and one row of NULLs. Values are SQL expressions, so the server
 * parses them and the test only ever compares against what the server prints back.
 */
final class FidelityData {
  private FidelityData() {}

  /** A non-ASCII schema name, so Relation and Type names go through the decoder's UTF-8 path. */
  static final String SCHEMA = "fidélité";

  /** One published column of the fidelity tables. */
  record Column(String name, String type) {}

  /** A row to insert: column name to SQL expression; columns left out are NULL. */
  record Row(String label, int id, Map<String, String> values) {}

  static List<Column> columns() {
    return List.of(
        new Column("id", "int NOT NULL PRIMARY KEY"),
        new Column("alt_key", "text NOT NULL"),
        new Column("c_int2", "smallint"),
        new Column("c_int4", "integer"),
        new Column("c_int8", "bigint"),
        new Column("c_numeric", "numeric"),
        new Column("c_numeric_12_4", "numeric(12,4)"),
        new Column("c_float4", "real"),
        new Column("c_float8", "double precision"),
        new Column("c_text", "text"),
        new Column("c_varchar", "varchar(20)"),
        new Column("c_char", "char(10)"),
        new Column("c_bytea", "bytea"),
        new Column("c_bool", "boolean"),
        new Column("c_date", "date"),
        new Column("c_time", "time"),
        new Column("c_timetz", "timetz"),
        new Column("c_timestamp", "timestamp"),
        new Column("c_timestamptz", "timestamptz"),
        new Column("c_interval", "interval"),
        new Column("c_uuid", "uuid"),
        new Column("c_json", "json"),
        new Column("c_jsonb", "jsonb"),
        new Column("c_int_arr", "int[]"),
        new Column("c_text_arr", "text[]"),
        new Column("c_int_2d", "int[][]"),
        new Column("c_float8_arr", "float8[]"),
        new Column("c_float4_arr", "real[]"),
        new Column("c_enum", q(SCHEMA) + ".mood"),
        new Column("c_domain", q(SCHEMA) + ".posint"),
        new Column("c_int4range", "int4range"),
        new Column("c_tstzrange", "tstzrange"),
        new Column("c_inet", "inet"),
        new Column("c_cidr", "cidr"),
        new Column("c_money", "money"),
        new Column("c_bit", "bit(4)"),
        new Column("c_varbit", "varbit"),
        new Column("c_point", "point"),
        new Column("naïve Col", "text"),
        new Column("c_big", "text"));
  }

  /** Schema, enum and domain shared by all fidelity tables. */
  static List<String> typeDdl() {
    return List.of(
        "CREATE SCHEMA " + q(SCHEMA),
        "CREATE TYPE " + q(SCHEMA) + ".mood AS ENUM ('sad', 'ok', 'happy', 'très \"happy\" ✓')",
        "CREATE DOMAIN " + q(SCHEMA) + ".posint AS int CHECK (VALUE > 0)");
  }

  /**
   * DDL for one table. Besides the columns above it gets a dropped column, which pgoutput leaves
   * out of Relation and tuples (so decoded positions differ from attnum), and a stored generated
   * column, which pgoutput leaves out before 18 and publishes on 18 when the publication asks for
   * it.
   */
  static List<String> tableDdl(String table, String replicaIdentityClause) {
    String t = qualified(table);
    StringBuilder create =
        new StringBuilder("CREATE TABLE ").append(t).append(" (\n  dropped_early int");
    for (Column c : columns()) {
      create.append(",\n  ").append(q(c.name())).append(' ').append(c.type());
    }
    create.append(",\n  c_generated bigint GENERATED ALWAYS AS (c_int4::bigint * 2) STORED\n)");
    List<String> ddl = new ArrayList<>();
    ddl.add(create.toString());
    // EXTERNAL: out of line and uncompressed, so the big value is a TOAST pointer whatever it
    // contains.
    ddl.add("ALTER TABLE " + t + " ALTER COLUMN c_big SET STORAGE EXTERNAL");
    ddl.add("CREATE UNIQUE INDEX " + q(table + "_alt_key") + " ON " + t + " (alt_key)");
    ddl.add("ALTER TABLE " + t + " DROP COLUMN dropped_early");
    if (replicaIdentityClause != null) {
      ddl.add("ALTER TABLE " + t + " REPLICA IDENTITY " + replicaIdentityClause);
    }
    return ddl;
  }

  static String insertSql(String table, Row row) {
    StringBuilder names = new StringBuilder("id");
    StringBuilder values = new StringBuilder(Integer.toString(row.id()));
    row.values()
        .forEach(
            (column, expression) -> {
              names.append(", ").append(q(column));
              values.append(", ").append(expression);
            });
    return "INSERT INTO " + qualified(table) + " (" + names + ") VALUES (" + values + ")";
  }

  /**
   * The rows, by server major version: numeric accepts 'Infinity' only from 14, interval accepts
   * 'infinity' only from 17; older servers get finite stand-ins in the same columns.
   */
  static List<Row> rows(int version) {
    List<Row> rows = new ArrayList<>();

    Map<String, String> a = new LinkedHashMap<>();
    a.put("alt_key", "'ключ-α'");
    a.put("c_int2", "1");
    a.put("c_int4", "42");
    a.put("c_int8", "9000000000");
    a.put("c_numeric", "'12345678901234567890.123456789012345678901234567890'");
    a.put("c_numeric_12_4", "'3.14159'");
    a.put("c_float4", "'1.5'");
    a.put("c_float8", "'3.141592653589793'");
    a.put("c_text", "'héllo wörld ✓ 日本語 🐘'");
    a.put("c_varchar", "'short ✓'");
    a.put("c_char", "'ab'");
    a.put("c_bytea", "'\\x00ff10'");
    a.put("c_bool", "true");
    a.put("c_date", "'2024-02-29'");
    a.put("c_time", "'13:45:30.123456'");
    a.put("c_timetz", "'13:45:30.5+05:30'");
    a.put("c_timestamp", "'2024-02-29 13:45:30.123456'");
    a.put("c_timestamptz", "'2024-02-29 13:45:30.123456+01'");
    a.put("c_interval", "'1 year 2 mons 3 days 04:05:06.789'");
    a.put("c_uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'");
    // json keeps the input text verbatim (spacing, key order, duplicate keys); jsonb normalises it.
    a.put("c_json", "'{\"b\": 1,  \"a\" : [1, 2.50], \"a\": \"dup ✓\"}'");
    a.put("c_jsonb", "'{\"b\": 1,  \"a\" : [1, 2.50], \"a\": \"dup ✓\"}'");
    a.put("c_int_arr", "'{1,NULL,3}'");
    a.put(
        "c_text_arr",
        "ARRAY['plain', 'with space', 'quote\"d', 'back\\slash', NULL, 'NULL', '', "
            + "E'new\\nline', '✓', '{braces}', 'comma,here']");
    a.put("c_int_2d", "'{{1,2},{3,4}}'");
    a.put("c_float8_arr", "'{NaN,Infinity,-Infinity,-0,5e-324,1.7976931348623157e+308}'");
    a.put("c_float4_arr", "'{3.4028235e+38,1e-45,1.17549435e-38,NaN,-0}'");
    a.put("c_enum", "'happy'");
    a.put("c_domain", "7");
    a.put("c_int4range", "'[1,10)'");
    a.put("c_tstzrange", "'[\"2020-01-01 00:00+00\",\"2021-06-30 12:34:56.789+02\")'");
    a.put("c_inet", "'192.168.0.1/24'");
    a.put("c_cidr", "'10.0.0.0/8'");
    a.put("c_money", "'1234.56'");
    a.put("c_bit", "B'1010'");
    a.put("c_varbit", "B'10110'");
    a.put("c_point", "'(1.5,-2)'");
    a.put("naïve Col", "'col ✓'");
    a.put("c_big", literal(bigText()));
    rows.add(new Row("A (typical values, 100 KB TOASTed text)", 1, a));

    Map<String, String> b = new LinkedHashMap<>();
    b.put("alt_key", "'key \"B\" \\ and '' quote'");
    b.put("c_int2", "32767");
    b.put("c_int4", "2147483647");
    b.put("c_int8", "9223372036854775807");
    b.put("c_numeric", "'NaN'");
    b.put("c_numeric_12_4", "'99999999.9999'");
    b.put("c_float4", "'NaN'");
    b.put("c_float8", "'Infinity'");
    b.put(
        "c_text",
        "E'quote \\' dq \" backslash \\\\ nl \\n tab \\t cr \\r ctl \\x01 del \\x7f end'");
    b.put("c_varchar", "'exactly twenty chars'");
    b.put("c_char", "'日本語'");
    b.put("c_bytea", "'\\x" + allByteValuesHex() + "'");
    b.put("c_bool", "false");
    b.put("c_date", "'infinity'");
    b.put("c_time", "'24:00:00'");
    b.put("c_timetz", "'23:59:59.999999-15:59'");
    b.put("c_timestamp", "'294276-12-31 23:59:59.999999'");
    b.put("c_timestamptz", "'infinity'");
    // Close to the interval limits but not at them: from 17 on, all three fields at their maximum
    // is how +infinity is stored.
    // 13 and 14 parse the hours field as a 32-bit int; 15 reworked interval input to take the full
    // 64-bit microsecond range.
    b.put(
        "c_interval",
        version >= 15
            ? "'177999999 years 11 mons 2147483646 days 2562047787:59:59.999999'"
            : "'177999999 years 11 mons 2147483646 days 2147483647:59:59.999999'");
    b.put("c_uuid", "'ffffffff-ffff-ffff-ffff-ffffffffffff'");
    b.put("c_json", "'{\"nested\": {\"deep\": [null, true, false, 1e100, \"\\u00e9\\n\"]}}'");
    b.put("c_jsonb", "'{\"nested\": {\"deep\": [null, true, false, 1e100, \"\\u00e9\\n\"]}}'");
    b.put("c_int_arr", "'[0:2]={7,8,9}'");
    b.put("c_text_arr", "'{}'");
    b.put("c_int_2d", "'{{NULL,2},{3,NULL}}'");
    b.put("c_enum", "'sad'");
    b.put("c_domain", "2147483647");
    b.put("c_int4range", "'(,5]'");
    b.put("c_tstzrange", "'[\"2020-01-01 00:00+00\",infinity)'");
    b.put("c_inet", "'::ffff:1.2.3.4'");
    b.put("c_cidr", "'2001:db8::/32'");
    b.put("c_money", "'92233720368547758.07'");
    b.put("c_bit", "B'0000'");
    b.put("c_varbit", "B''");
    b.put("c_point", "'(1e+300,-1e-300)'");
    b.put("naïve Col", "'b'");
    b.put("c_big", "'small, stays inline'");
    rows.add(new Row("B (maxima, escapes)", 2, b));

    // Every nullable column NULL.
    Map<String, String> c = new LinkedHashMap<>();
    c.put("alt_key", "'c'");
    rows.add(new Row("C (all NULL)", 3, c));

    Map<String, String> d = new LinkedHashMap<>();
    d.put("alt_key", "'d ✓'");
    d.put("c_int2", "-32768");
    d.put("c_int4", "-2147483648");
    d.put("c_int8", "-9223372036854775808");
    d.put("c_numeric", version >= 14 ? "'-Infinity'" : "'-0.000000000000000000000000000001'");
    d.put("c_numeric_12_4", "'-0.00005'");
    d.put("c_float4", "'-Infinity'");
    d.put("c_float8", "'-0'");
    d.put("c_text", "'  leading and trailing spaces  '");
    d.put("c_varchar", "''");
    d.put("c_char", "''");
    d.put("c_bytea", "'\\x'");
    d.put("c_bool", "true");
    d.put("c_date", "'4713-01-01 BC'");
    d.put("c_time", "'00:00:00'");
    d.put("c_timetz", "'00:00:00+15:59'");
    d.put("c_timestamp", "'4713-01-01 00:00:00 BC'");
    d.put("c_timestamptz", "'-infinity'");
    d.put("c_interval", "'-177999999 years -3 days -00:00:00.000001'");
    d.put("c_uuid", "'00000000-0000-0000-0000-000000000000'");
    d.put("c_json", "'null'");
    d.put("c_jsonb", "'\"\\u00e9 ✓\"'");
    d.put("c_int_arr", "'{}'");
    d.put("c_text_arr", "'{NULL}'");
    d.put("c_int_2d", "'{{{1}},{{2}}}'");
    d.put("c_float8_arr", "'{}'");
    d.put("c_float4_arr", "'{NULL}'");
    d.put("c_enum", "'très \"happy\" ✓'");
    d.put("c_domain", "1");
    d.put("c_int4range", "'empty'");
    d.put("c_tstzrange", "'empty'");
    d.put("c_inet", "'10.0.0.1'");
    d.put("c_cidr", "'0.0.0.0/0'");
    d.put("c_money", "'-92233720368547758.08'");
    d.put("c_bit", "B'1111'");
    d.put("c_varbit", "B'1'");
    d.put("c_point", "'(0,-0)'");
    d.put("naïve Col", "''");
    rows.add(new Row("D (minima, empties)", 4, d));

    Map<String, String> e = new LinkedHashMap<>();
    e.put("alt_key", "''");
    e.put("c_int2", "0");
    e.put("c_int4", "0");
    e.put("c_int8", "0");
    e.put("c_numeric", version >= 14 ? "'Infinity'" : "'0'");
    e.put("c_numeric_12_4", "'0'");
    e.put("c_float4", "'-0'");
    e.put("c_float8", "'NaN'");
    e.put("c_text", "''");
    e.put("c_varchar", "' '");
    e.put("c_char", "'          '");
    e.put("c_bytea", "'\\x00'");
    e.put("c_bool", "false");
    e.put("c_date", "'-infinity'");
    e.put("c_time", "'23:59:59.999999'");
    e.put("c_timetz", "'24:00:00+00'");
    e.put("c_timestamp", "'-infinity'");
    e.put("c_timestamptz", "'294276-12-31 23:59:59.999999+00'");
    e.put("c_interval", version >= 17 ? "'infinity'" : "'0'");
    e.put("c_uuid", "'{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}'");
    e.put("c_json", "'  [1, 2 ,3]  '");
    e.put("c_jsonb", "'[]'");
    e.put("c_int_arr", "'{-2147483648,2147483647}'");
    e.put("c_text_arr", "ARRAY[' lead', 'trail ', '\\', 'a,b', '{}', '\"']");
    e.put("c_int_2d", "'{{1,2,3},{4,5,6}}'");
    e.put("c_float8_arr", "'{1.7976931348623157e+308,-5e-324}'");
    e.put("c_float4_arr", "'{}'");
    e.put("c_enum", "'ok'");
    e.put("c_domain", "2");
    e.put("c_int4range", "'[-2147483648,2147483647)'");
    e.put("c_tstzrange", "'(-infinity,infinity)'");
    e.put("c_inet", "'2001:db8::1/128'");
    e.put("c_cidr", "'192.168.100.128/25'");
    e.put("c_money", "'0'");
    e.put("c_bit", "B'0101'");
    e.put("c_varbit", "B'1'");
    e.put("c_point", "'(NaN,Infinity)'");
    e.put("c_big", "''");
    rows.add(new Row("E (zeros, empty strings)", 5, e));

    Map<String, String> f = new LinkedHashMap<>();
    f.put("alt_key", "'f'");
    f.put("c_numeric", "'1e1000'");
    f.put("c_numeric_12_4", "'-99999999.9999'");
    f.put("c_float4", "'3.4028235e+38'");
    f.put("c_float8", "'5e-324'");
    f.put("c_date", "'5874897-12-31'");
    f.put("c_timestamp", "'infinity'");
    f.put("c_timestamptz", "'4713-01-01 00:00:00+00 BC'");
    f.put("c_interval", version >= 17 ? "'-infinity'" : "'-1 day'");
    rows.add(new Row("F (remaining extremes, other columns NULL)", 6, f));
    return rows;
  }

  /**
   * About 100,000 characters from a seeded generator: random letters, digits and multibyte
   * characters give LZ compression nothing to work with, and with storage EXTERNAL the value is
   * stored out of line in any case.
   */
  static String bigText() {
    int[] alphabet =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 äöüßéñ✓日本語🐘"
            .codePoints()
            .toArray();
    Random random = new Random(20240229L);
    StringBuilder sb = new StringBuilder(110_000);
    for (int i = 0; i < 100_000; i++) {
      sb.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
    }
    return sb.toString();
  }

  private static String allByteValuesHex() {
    StringBuilder sb = new StringBuilder(512);
    for (int i = 0; i < 256; i++) {
      sb.append(String.format("%02x", i));
    }
    return sb.toString();
  }

  static String qualified(String table) {
    return q(SCHEMA) + "." + q(table);
  }

  /** A quoted SQL identifier. */
  static String q(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /** A standard-conforming SQL string literal. */
  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
