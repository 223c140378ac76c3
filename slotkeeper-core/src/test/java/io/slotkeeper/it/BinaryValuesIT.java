package io.slotkeeper.it;

import static io.slotkeeper.it.FidelityData.q;
import static io.slotkeeper.it.FidelityData.qualified;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.FailureKind;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.PgTypeOids;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGProperty;

/**
 * Option {@code binary} (issue 15) end to end: values arrive in the types' send format, and every
 * value of a type with a codec prints exactly as the same row streamed in text format, and as the
 * server prints it, with the connection's own TimeZone (pgjdbc sets the JVM's, here a zone with a
 * half-hour offset and local mean time for ancient dates).
 */
class BinaryValuesIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG = PostgresExtension.builder().version(16).build();

  private static final String ZONE = "America/St_Johns";

  @Test
  void binaryValuesPrintAsTheTextFormatAndTheServerPrintThem() throws Exception {
    PostgresServer pg = PG.server();
    for (String ddl : FidelityData.typeDdl()) {
      pg.execute(ddl);
    }
    for (String ddl : FidelityData.tableDdl("t_bin", null)) {
      pg.execute(ddl);
    }
    pg.execute("CREATE PUBLICATION bin_pub FOR TABLE " + qualified("t_bin"));
    pg.execute("SELECT pg_create_logical_replication_slot('bin_text', 'pgoutput')");
    pg.execute("SELECT pg_create_logical_replication_slot('bin_binary', 'pgoutput')");
    List<FidelityData.Row> rows = FidelityData.rows(16);
    TimeZone saved = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone(ZONE));
    try {
      Map<Integer, Map<String, String>> expected = new LinkedHashMap<>();
      try (Connection c = plainConnection(pg)) {
        assertThat(query(c, "SHOW TimeZone")).isEqualTo(ZONE);
        for (FidelityData.Row row : rows) {
          exec(c, FidelityData.insertSql("t_bin", row));
          expected.put(row.id(), selectRow(c, row.id()));
        }
      }
      SourceSettings base = Harness.settings(pg, "bin_text", "bin_pub").withProtoVersion(4);
      List<Insert> text = inserts(base.withStream(base.stream().withBinary(false)), rows.size());
      List<Insert> binary =
          inserts(
              base.withSlotName("bin_binary").withStream(base.stream().withBinary(true)),
              rows.size());

      List<String> mismatches = new ArrayList<>();
      TreeSet<String> withoutCodec = new TreeSet<>();
      for (int r = 0; r < rows.size(); r++) {
        Relation relation = binary.get(r).relation();
        int id = Integer.parseInt(text.get(r).newTuple().get(0).text());
        for (int i = 0; i < relation.columns().size(); i++) {
          String name = relation.columns().get(i).name();
          ColumnValue t = text.get(r).newTuple().get(i);
          ColumnValue b = binary.get(r).newTuple().get(i);
          String want = expected.get(id).get(name);
          String at = "row " + id + " column " + q(name) + ": ";
          if (t.isUnchangedToast() || b.isUnchangedToast()) {
            mismatches.add(at + "unchanged TOAST in an insert");
          } else if (want == null) {
            if (!t.isNull() || !b.isNull()) {
              mismatches.add(at + "expected NULL, got " + t + " / " + b);
            }
          } else if (t.kind() != ColumnValue.Kind.TEXT || b.kind() != ColumnValue.Kind.BINARY) {
            mismatches.add(at + "kinds " + t.kind() + " / " + b.kind());
          } else if (!b.hasCodec()) {
            withoutCodec.add(name);
          } else {
            if (!want.equals(t.text())) {
              mismatches.add(at + "text format " + t.text() + " but the server prints " + want);
            }
            if (!want.equals(b.text())) {
              mismatches.add(at + "binary format " + b.text() + " but the server prints " + want);
            }
            String typedText = typed(t);
            String typedBinary = typed(b);
            if (!typedText.equals(typedBinary)) {
              mismatches.add(
                  at + "typed accessor: text format " + typedText + ", binary " + typedBinary);
            }
          }
        }
      }
      assertThat(mismatches).isEmpty();
      assertThat(withoutCodec).isEqualTo(new TreeSet<>(DecoderFidelityIT.NO_CODEC));
    } finally {
      TimeZone.setDefault(saved);
    }
  }

  /**
   * A JVM zone given as an offset ({@code GMT+05:00}) reaches the server in POSIX form, where the
   * sign means the opposite ({@code GMT-05:00}: five hours EAST): binary timestamptz values must
   * still print as the server prints them, never with the offset mirrored.
   */
  @Test
  void aPosixOffsetTimeZonePrintsAsTheServerPrintsIt() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE tz (id int PRIMARY KEY, ts timestamptz)");
    pg.execute("CREATE PUBLICATION tz_pub FOR TABLE tz");
    pg.execute("SELECT pg_create_logical_replication_slot('tz_binary', 'pgoutput')");
    TimeZone saved = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("GMT+05:00"));
    try {
      String want;
      try (Connection c = plainConnection(pg)) {
        exec(c, "INSERT INTO tz VALUES (1, '2024-02-29 13:45:30.5+00')");
        want = query(c, "SELECT ts FROM tz WHERE id = 1");
        assertThat(want).isEqualTo("2024-02-29 18:45:30.5+05");
      }
      SourceSettings s = Harness.settings(pg, "tz_binary", "tz_pub");
      List<Insert> got = inserts(s.withStream(s.stream().withBinary(true)), 1);
      ColumnValue ts = got.get(0).newTuple().get(1);
      assertThat(ts.kind()).isEqualTo(ColumnValue.Kind.BINARY);
      assertThat(ts.text()).isEqualTo(want);
    } finally {
      TimeZone.setDefault(saved);
    }
  }

  @Test
  void binaryOnPostgres13FailsNamingPostgres14() throws Exception {
    try (PostgresServer pg13 = PostgresServer.builder().version(13).start()) {
      pg13.execute("CREATE TABLE b13 (id int PRIMARY KEY)");
      pg13.execute("CREATE PUBLICATION b13_pub FOR TABLE b13");
      pg13.execute("SELECT pg_create_logical_replication_slot('b13_slot', 'pgoutput')");
      SourceSettings s = Harness.settings(pg13, "b13_slot", "b13_pub");
      assertFailsOnceNaming(s.withStream(s.stream().withBinary(true)), "binary", "14");
    }
  }

  static void assertFailsOnceNaming(SourceSettings settings, String option, String version)
      throws Exception {
    Harness h = Harness.start(kitSystem(), settings);
    try {
      Refusals.failsOnce(h);
      SourceStatus status = h.control.status();
      assertThat(status.reason()).contains(option).contains("PostgreSQL " + version);
      assertThat(status.error())
          .hasValueSatisfying(
              e -> {
                assertThat(e.kind()).isEqualTo(FailureKind.CONFIGURATION);
                assertThat(e.remediation()).contains(option);
              });
    } finally {
      h.close();
    }
  }

  /**
   * The typed accessor that fits the value's type, its result (or the exception it throws) as a
   * string: the same for a TEXT and a BINARY value of the same row.
   */
  private static String typed(ColumnValue v) {
    try {
      Object o =
          switch (v.typeOid()) {
            case PgTypeOids.BOOL -> v.asBoolean();
            case PgTypeOids.INT2 -> v.asShort();
            case PgTypeOids.INT4 -> v.asInt() + " " + v.asLong();
            case PgTypeOids.INT8, PgTypeOids.OID -> v.asLong();
            case PgTypeOids.NUMERIC -> v.asDouble() + " " + v.asBigDecimal();
            case PgTypeOids.FLOAT4 -> v.asFloat() + " " + v.asDouble();
            case PgTypeOids.FLOAT8 -> v.asDouble();
            case PgTypeOids.BYTEA -> java.util.HexFormat.of().formatHex(v.asBytea());
            case PgTypeOids.UUID -> v.asUuid();
            case PgTypeOids.DATE -> v.asLocalDate();
            case PgTypeOids.TIME -> v.asLocalTime();
            case PgTypeOids.TIMETZ -> v.asOffsetTime();
            case PgTypeOids.TIMESTAMP -> v.asLocalDateTime();
            case PgTypeOids.TIMESTAMPTZ -> v.asOffsetDateTime() + " " + v.asInstant();
            case PgTypeOids.INTERVAL -> v.asInterval();
            case PgTypeOids.INET, PgTypeOids.CIDR -> v.asInet();
            default -> PgTypeOids.isArrayWithCodec(v.typeOid()) ? v.asArray() : "text " + v.text();
          };
      return String.valueOf(o);
    } catch (RuntimeException e) {
      return e.getClass().getSimpleName();
    }
  }

  /**
   * The types beyond the fidelity table's, streamed in binary by the engine: geometric types,
   * built-in multiranges, a range over text (its bounds quoted as range_out quotes them), a domain
   * over a domain, an enum with characters to escape, money near zero, and a type created after the
   * source connected, which has no codec until the next connect (its bytes are kept).
   */
  @Test
  void moreTypesPrintAsTheServerPrintsThem() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TYPE textrange AS RANGE (subtype = text)");
    pg.execute("CREATE DOMAIN amount AS numeric(10,2)");
    pg.execute("CREATE DOMAIN positive_amount AS amount CHECK (VALUE > 0)");
    pg.execute("CREATE TYPE colour AS ENUM ('red', 'dark \"blue\", really')");
    pg.execute(
        "CREATE TABLE more_types (id int PRIMARY KEY, ls lseg, bx box, ln line, ci circle,"
            + " pa path, pc path, pg polygon, im int4multirange, tm tstzmultirange,"
            + " tr textrange, da positive_amount, en colour, mo money, vb varbit)");
    pg.execute("CREATE PUBLICATION more_pub FOR TABLE more_types");
    pg.execute("SELECT pg_create_logical_replication_slot('more_binary', 'pgoutput')");
    List<String> inserts =
        List.of(
            "INSERT INTO more_types VALUES (1, '[(1,2),(3.5,-4)]', '(1,1),(0,0)', '{1,-1,0.5}',"
                + " '<(1,2),3>', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(2,0))', '((0,0),(0,1),(1,1))',"
                + " '{[1,3),[5,8)}', '{[2020-01-01 00:00+00,2021-01-01 00:00+00)}',"
                + " '[\"a b\",\"q\"\"x\")', 12.5, 'dark \"blue\", really', '-0.05',"
                + " B'101010101')",
            "INSERT INTO more_types VALUES (2, '[(1e300,-1e-300),(0.1,0.2)]', '(2,2),(2,2)',"
                + " '{0,1,2}', '<(0,0),0>', '[(1,1)]', '((1,1))', '((1,2))', '{}', '{empty}',"
                + " '(,\"\")', 0.01, 'red', '0', B'1')");
    Map<Integer, Map<String, String>> expected = new LinkedHashMap<>();
    SourceSettings base = Harness.settings(pg, "more_binary", "more_pub").withProtoVersion(4);
    SourceSettings binarySettings = base.withStream(base.stream().withBinary(true));
    Harness h = Harness.start(kit.system(), binarySettings);
    List<Insert> got = new ArrayList<>();
    try (Connection c = plainConnection(pg)) {
      h.awaitLevel(io.slotkeeper.StatusLevel.ACTIVE, Duration.ofSeconds(30));
      // Created after the source connected: not in the catalog facts it read.
      exec(c, "CREATE TYPE late AS ENUM ('x')");
      exec(c, "ALTER TABLE more_types ADD COLUMN lt late");
      for (String insert : inserts) {
        exec(c, insert);
      }
      for (int id = 1; id <= 2; id++) {
        expected.put(id, selectRow(c, "more_types", id));
      }
      Harness.await(
          "two inserts", Duration.ofSeconds(60), () -> h.consumer.insertedIds().size() >= 2);
      for (ChangeEnvelope e : h.consumer.received) {
        if (e.message() instanceof Insert i) {
          got.add(i);
        }
      }
    } finally {
      h.close();
    }
    List<String> mismatches = new ArrayList<>();
    for (Insert insert : got) {
      Relation relation = insert.relation();
      int id = Integer.parseInt(insert.newTuple().get(0).text());
      for (int i = 0; i < relation.columns().size(); i++) {
        String name = relation.columns().get(i).name();
        ColumnValue b = insert.newTuple().get(i);
        String want = expected.get(id).get(name);
        if (name.equals("lt")) {
          if (b.isNull() ? want != null : b.hasCodec()) {
            mismatches.add("row " + id + " lt: a type created after connect has a codec: " + b);
          }
        } else if (b.kind() != ColumnValue.Kind.BINARY || !b.hasCodec()) {
          mismatches.add("row " + id + " " + name + ": " + b.kind() + ", codec " + b.hasCodec());
        } else if (!want.equals(b.text())) {
          mismatches.add(
              "row " + id + " " + name + ": binary " + b.text() + " but the server prints " + want);
        }
      }
    }
    assertThat(got).hasSize(2);
    assertThat(mismatches).isEmpty();
    // The domain over a domain over numeric reads as its base type.
    assertThat(got.get(0).newTuple().get(relationIndex(got.get(0), "da")).asBigDecimal())
        .isEqualByComparingTo("12.50");
  }

  private static int relationIndex(Insert insert, String column) {
    List<io.slotkeeper.pgoutput.RelationColumn> cols = insert.relation().columns();
    for (int i = 0; i < cols.size(); i++) {
      if (cols.get(i).name().equals(column)) {
        return i;
      }
    }
    throw new AssertionError("no column " + column);
  }

  private static org.apache.pekko.actor.typed.ActorSystem<?> kitSystem() {
    return kit.system();
  }

  private List<Insert> inserts(SourceSettings settings, int count) throws Exception {
    Harness h = Harness.start(kit.system(), settings);
    try {
      Harness.await(
          count + " inserts from slot " + settings.slot().name(),
          Duration.ofSeconds(60),
          () -> h.consumer.insertedIds().size() >= count);
      List<Insert> out = new ArrayList<>();
      for (ChangeEnvelope e : h.consumer.received) {
        if (e.message() instanceof Insert i) {
          out.add(i);
        }
      }
      return out;
    } finally {
      h.close();
    }
  }

  private static Connection plainConnection(PostgresServer pg) throws Exception {
    Properties props = pg.connectionProperties();
    // Simple query protocol: every column comes back as the type's output function prints it.
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    return DriverManager.getConnection(pg.jdbcUrl(), props);
  }

  private static Map<String, String> selectRow(Connection c, int id) throws Exception {
    return selectRow(c, qualified("t_bin"), id);
  }

  private static Map<String, String> selectRow(Connection c, String table, int id)
      throws Exception {
    Map<String, String> values = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE id = " + id)) {
      assertThat(rs.next()).isTrue();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        values.put(rs.getMetaData().getColumnName(i), rs.getString(i));
      }
    }
    return values;
  }

  private static void exec(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String query(Connection c, String sql) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
