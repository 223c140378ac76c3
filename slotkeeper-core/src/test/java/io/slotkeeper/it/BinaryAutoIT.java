package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGProperty;

/**
 * {@code binary = auto}, the default (issue 15): binary on 14+ exactly when every published
 * column's type has a codec, text otherwise (and on 13), and a type without a codec arriving
 * mid-connection ends the connection so the next connect decides again: values stay exact either
 * way.
 */
class BinaryAutoIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG = PostgresExtension.builder().version(16).build();

  @Test
  void theDefaultIsAuto() throws Exception {
    SourceSettings s = Harness.settings(PG.server(), "any_slot", "any_pub");
    assertThat(s.stream().binaryMode()).isEqualTo(StreamSettings.Binary.AUTO);
  }

  @Test
  void onlyCodedTypesStreamInBinary() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TYPE auto_mood AS ENUM ('calm', 'tense')");
    pg.execute("CREATE DOMAIN auto_amount AS numeric(10,2)");
    pg.execute(
        "CREATE TABLE coded (id int PRIMARY KEY, t text, n numeric, ts timestamptz,"
            + " m auto_mood, a auto_amount, xs int[])");
    pg.execute("CREATE PUBLICATION coded_pub FOR TABLE coded");
    pg.execute("SELECT pg_create_logical_replication_slot('coded_slot', 'pgoutput')");
    pg.execute(
        "INSERT INTO coded VALUES (1, 'a''b', 1.50, '2024-02-29 13:45:30.5+00', 'tense', 12.5,"
            + " '{1,NULL,3}')");
    List<Insert> got = inserts(Harness.settings(pg, "coded_slot", "coded_pub"), 1);
    assertValues(pg, "coded", got.get(0), ColumnValue.Kind.BINARY);
  }

  @Test
  void aCompositeColumnStreamsInText() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TYPE auto_pair AS (x int, y text)");
    pg.execute("CREATE TABLE mixed (id int PRIMARY KEY, n numeric, p auto_pair)");
    pg.execute("CREATE PUBLICATION mixed_pub FOR TABLE mixed");
    pg.execute("SELECT pg_create_logical_replication_slot('mixed_slot', 'pgoutput')");
    pg.execute("INSERT INTO mixed VALUES (1, 2.25, ROW(7, 'seven \"q\"'))");
    List<Insert> got = inserts(Harness.settings(pg, "mixed_slot", "mixed_pub"), 1);
    assertValues(pg, "mixed", got.get(0), ColumnValue.Kind.TEXT);
  }

  /**
   * A column of a composite type added while a binary connection streams: its Relation ends the
   * connection before the change is delivered, and the next connect streams in text, so the row
   * arrives with every value exact (no raw bytes).
   */
  @Test
  void aTypeWithoutCodecMidConnectionReconnectsInText() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TYPE late_pair AS (x int, y text)");
    pg.execute("CREATE TABLE grows (id int PRIMARY KEY, n numeric)");
    pg.execute("CREATE PUBLICATION grows_pub FOR TABLE grows");
    pg.execute("SELECT pg_create_logical_replication_slot('grows_slot', 'pgoutput')");
    Harness h = Harness.start(kit.system(), Harness.settings(pg, "grows_slot", "grows_pub"));
    List<Insert> got = new ArrayList<>();
    try {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute("INSERT INTO grows VALUES (1, 1.5)");
      Harness.await("the first insert", Duration.ofSeconds(60), () -> !inserts(h).isEmpty());
      assertThat(inserts(h).get(0).newTuple().get(1).kind()).isEqualTo(ColumnValue.Kind.BINARY);
      pg.execute("ALTER TABLE grows ADD COLUMN p late_pair");
      pg.execute("INSERT INTO grows VALUES (2, 2.5, ROW(2, 'two'))");
      Harness.await(
          "the second insert",
          Duration.ofSeconds(90),
          () -> h.consumer.insertedIds().contains("2"));
      got.addAll(inserts(h));
    } finally {
      h.close();
    }
    Insert second = null;
    for (Insert i : got) {
      if (i.newTuple().get(0).text().equals("2")) {
        second = i;
      }
    }
    assertThat(second).isNotNull();
    assertValues(pg, "grows", second, ColumnValue.Kind.TEXT);
  }

  /**
   * The column without a codec is added and dropped again in one transaction: at the reconnect the
   * catalog no longer shows it, but the replay carries its Relation again. The connection after a
   * fallback streams in text, so the source does not end and reconnect for ever.
   */
  @Test
  void aColumnDroppedAgainDoesNotReconnectForEver() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TYPE gone_pair AS (x int, y text)");
    pg.execute("CREATE TABLE flips (id int PRIMARY KEY, n numeric)");
    pg.execute("CREATE PUBLICATION flips_pub FOR TABLE flips");
    pg.execute("SELECT pg_create_logical_replication_slot('flips_slot', 'pgoutput')");
    Harness h = Harness.start(kit.system(), Harness.settings(pg, "flips_slot", "flips_pub"));
    try {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      pg.execute(
          "BEGIN; ALTER TABLE flips ADD COLUMN p gone_pair;"
              + " INSERT INTO flips VALUES (1, 1.5, ROW(1, 'one'));"
              + " ALTER TABLE flips DROP COLUMN p; COMMIT");
      pg.execute("INSERT INTO flips VALUES (2, 2.5)");
      Harness.await(
          "both inserts", Duration.ofSeconds(60), () -> h.consumer.insertedIds().contains("2"));
      Insert first = null;
      for (Insert i : inserts(h)) {
        if (i.newTuple().get(0).text().equals("1")) {
          first = i;
        }
      }
      assertThat(first).isNotNull();
      assertThat(first.newTuple().get(2).kind()).isEqualTo(ColumnValue.Kind.TEXT);
      assertThat(first.newTuple().get(2).text()).isEqualTo("(1,one)");
    } finally {
      h.close();
    }
  }

  @Test
  void autoIsTextOnPostgres13() throws Exception {
    try (PostgresServer pg13 = PostgresServer.builder().version(13).start()) {
      pg13.execute("CREATE TABLE a13 (id int PRIMARY KEY, n numeric)");
      pg13.execute("CREATE PUBLICATION a13_pub FOR TABLE a13");
      pg13.execute("SELECT pg_create_logical_replication_slot('a13_slot', 'pgoutput')");
      pg13.execute("INSERT INTO a13 VALUES (1, 3.75)");
      List<Insert> got = inserts(Harness.settings(pg13, "a13_slot", "a13_pub"), 1);
      assertValues(pg13, "a13", got.get(0), ColumnValue.Kind.TEXT);
    }
  }

  /** Every value of {@code insert} has {@code kind}, a codec, and prints as the server does. */
  private static void assertValues(
      PostgresServer pg, String table, Insert insert, ColumnValue.Kind kind) throws Exception {
    String id = insert.newTuple().get(0).text();
    Properties props = pg.connectionProperties();
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), props);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE id = " + id)) {
      assertThat(rs.next()).isTrue();
      for (int i = 0; i < insert.relation().columns().size(); i++) {
        ColumnValue v = insert.newTuple().get(i);
        String name = insert.relation().columns().get(i).name();
        assertThat(v.kind()).as(name).isEqualTo(kind);
        assertThat(v.hasCodec()).as(name).isTrue();
        assertThat(v.text()).as(name).isEqualTo(rs.getString(name));
      }
    }
  }

  private static List<Insert> inserts(Harness h) {
    List<Insert> out = new ArrayList<>();
    for (ChangeEnvelope e : h.consumer.received) {
      if (e.message() instanceof Insert i) {
        out.add(i);
      }
    }
    return out;
  }

  private List<Insert> inserts(SourceSettings settings, int count) throws Exception {
    Harness h = Harness.start(kit.system(), settings);
    try {
      Harness.await(
          count + " inserts from slot " + settings.slot().name(),
          Duration.ofSeconds(60),
          () -> h.consumer.insertedIds().size() >= count);
      return inserts(h);
    } finally {
      h.close();
    }
  }
}
