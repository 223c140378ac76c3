package io.slotkeeper.it;

import static io.slotkeeper.it.FidelityData.qualified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.PgOutputDecoder;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.nio.ByteBuffer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The typed accessors of {@link ColumnValue} read each built-in type's text output, as the stream
 * delivers it from a real server, to the same Java value pgjdbc's {@code getObject} gives for that
 * row read with an ordinary SELECT in the same session: extremes, infinities, BC dates, 24:00,
 * escapes and NULLs included (the fidelity rows).
 */
class TypedValuesIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final String TABLE = "t_typed";

  @Test
  void typedAccessorsReadWhatPgjdbcReadsFromTheSameRow() throws Exception {
    PostgresServer pg = PG.server();
    int checked = 0;
    try (Connection c = pg.connect();
        Statement st = c.createStatement()) {
      for (String ddl : FidelityData.typeDdl()) {
        st.execute(ddl);
      }
      for (String ddl : FidelityData.tableDdl(TABLE, null)) {
        st.execute(ddl);
      }
      st.execute("CREATE PUBLICATION typed_pub FOR TABLE " + qualified(TABLE));
      st.execute("SELECT pg_create_logical_replication_slot('typed_slot', 'pgoutput')");
      for (FidelityData.Row row : FidelityData.rows(pg.version())) {
        st.execute(FidelityData.insertSql(TABLE, row));
      }
      PgOutputDecoder decoder = new PgOutputDecoder(1, false);
      List<Insert> inserts = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT data FROM pg_logical_slot_get_binary_changes('typed_slot', NULL, NULL,"
                  + " 'proto_version', '1', 'publication_names', 'typed_pub')")) {
        while (rs.next()) {
          PgOutputMessage m = decoder.decode(ByteBuffer.wrap(rs.getBytes(1)));
          if (m instanceof Insert insert) {
            inserts.add(insert);
          }
        }
      }
      assertThat(inserts).hasSize(FidelityData.rows(pg.version()).size());
      for (Insert insert : inserts) {
        checked += compareRow(c, insert);
      }
    }
    // Every compared column of every row, NULLs included.
    assertThat(checked).isGreaterThanOrEqualTo(inserts(pg) * 17);
  }

  private static int inserts(PostgresServer pg) {
    return FidelityData.rows(pg.version()).size();
  }

  private static int compareRow(Connection c, Insert insert) throws SQLException {
    Relation relation = insert.relation();
    int id = -1;
    for (int i = 0; i < relation.columns().size(); i++) {
      if (relation.columns().get(i).name().equals("id")) {
        id = insert.newTuple().get(i).asInt();
      }
    }
    int compared = 0;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT * FROM " + qualified(TABLE) + " WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        for (int i = 0; i < relation.columns().size(); i++) {
          RelationColumn column = relation.columns().get(i);
          ColumnValue v = insert.newTuple().get(i);
          if (compare(rs, column.name(), v, "row " + id + " column " + column.name())) {
            compared++;
          }
        }
      }
    }
    return compared;
  }

  /** Compares one column; false for columns whose type has no typed accessor. */
  private static boolean compare(ResultSet rs, String col, ColumnValue v, String what)
      throws SQLException {
    boolean isNull = rs.getString(col) == null;
    switch (col) {
      case "c_int2":
        assertThat(v.asShort()).as(what).isEqualTo(isNull ? null : rs.getShort(col));
        return true;
      case "c_int4":
      case "c_domain":
        assertThat(v.asInt()).as(what).isEqualTo(isNull ? null : rs.getInt(col));
        return true;
      case "c_int8":
        assertThat(v.asLong()).as(what).isEqualTo(isNull ? null : rs.getLong(col));
        return true;
      case "c_numeric":
      case "c_numeric_12_4":
        if (!isNull && (v.text().equals("NaN") || v.text().endsWith("Infinity"))) {
          assertThatThrownBy(v::asBigDecimal).as(what).isInstanceOf(ArithmeticException.class);
          assertThat(v.asDouble()).as(what).isEqualTo(Double.valueOf(rs.getDouble(col)));
        } else {
          assertThat(v.asBigDecimal()).as(what).isEqualTo(isNull ? null : rs.getBigDecimal(col));
        }
        return true;
      case "c_float4":
        assertThat(v.asFloat()).as(what).isEqualTo(isNull ? null : rs.getFloat(col));
        return true;
      case "c_float8":
        assertThat(v.asDouble()).as(what).isEqualTo(isNull ? null : rs.getDouble(col));
        return true;
      case "c_bytea":
        assertThat(v.asBytea()).as(what).isEqualTo(rs.getBytes(col));
        return true;
      case "c_bool":
        assertThat(v.asBoolean()).as(what).isEqualTo(isNull ? null : rs.getBoolean(col));
        return true;
      case "c_uuid":
        assertThat(v.asUuid()).as(what).isEqualTo(rs.getObject(col, UUID.class));
        return true;
      case "c_date":
        assertThat(v.asLocalDate()).as(what).isEqualTo(rs.getObject(col, LocalDate.class));
        return true;
      case "c_time":
        assertThat(v.asLocalTime()).as(what).isEqualTo(rs.getObject(col, LocalTime.class));
        return true;
      case "c_timetz":
        assertThat(utc(v.asOffsetTime()))
            .as(what)
            .isEqualTo(utc(rs.getObject(col, OffsetTime.class)));
        return true;
      case "c_timestamp":
        assertThat(v.asLocalDateTime()).as(what).isEqualTo(rs.getObject(col, LocalDateTime.class));
        return true;
      case "c_timestamptz":
        assertThat(instant(v.asOffsetDateTime()))
            .as(what)
            .isEqualTo(instant(rs.getObject(col, OffsetDateTime.class)));
        return true;
      case "c_int_arr":
      case "c_int_2d":
      case "c_text_arr":
        Array array = rs.getArray(col);
        assertThat(v.asArray()).as(what).isEqualTo(array == null ? null : texts(array.getArray()));
        return true;
      default:
        return false;
    }
  }

  private static OffsetTime utc(OffsetTime t) {
    return t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC);
  }

  /** The instant, or the value itself for the infinities, which have none. */
  private static Object instant(OffsetDateTime t) {
    if (t == null || t.equals(OffsetDateTime.MAX) || t.equals(OffsetDateTime.MIN)) {
      return t;
    }
    return t.toInstant();
  }

  /** pgjdbc's array (Object[] of elements or of nested arrays) as nested lists of texts. */
  private static List<Object> texts(Object array) {
    List<Object> out = new ArrayList<>();
    for (Object element : (Object[]) array) {
      if (element instanceof Object[] nested) {
        out.add(texts(nested));
      } else {
        out.add(element == null ? null : String.valueOf(element));
      }
    }
    return out;
  }
}
