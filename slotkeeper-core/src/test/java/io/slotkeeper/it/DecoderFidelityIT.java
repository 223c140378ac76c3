package io.slotkeeper.it;

import static io.slotkeeper.it.FidelityData.SCHEMA;
import static io.slotkeeper.it.FidelityData.q;
import static io.slotkeeper.it.FidelityData.qualified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.OldTupleKind;
import io.slotkeeper.pgoutput.PgOutputDecodeException;
import io.slotkeeper.pgoutput.PgOutputDecoder;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.TypeInfo;
import io.slotkeeper.pgoutput.Update;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGProperty;

/**
 * Decoder fidelity against real servers: every value the decoder hands out must be exactly the text
 * the server's own output function prints for that column, for inserts, updates and deletes under
 * every replica identity, and Relation messages must match the catalog.
 *
 * <p>The pgoutput bytes come from {@code pg_logical_slot_get_binary_changes}: the same plugin
 * output a walsender wraps in XLogData, but read synchronously, so the test is deterministic and
 * needs no stream handling. Decoding and the expected values' SELECTs run in one session, so both
 * see the same TimeZone, DateStyle and extra_float_digits.
 *
 * <p>REPLICA IDENTITY NOTHING: the server refuses UPDATE and DELETE on such a table when it is in a
 * publication that publishes them. The NOTHING table is therefore published with {@code publish =
 * 'insert'} (its inserts are checked, its updates and deletes must not appear), and a second
 * NOTHING table in an all-actions publication checks the server's refusal.
 */
class DecoderFidelityIT {

  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  @Test
  void decodedValuesMatchServerOutputUnderEveryReplicaIdentity() throws Exception {
    // Protocol 1 is what every server version speaks and what most clients request.
    new Scenario(PG.server(), 1).run();
  }

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {13, 14, 15, 16, 17, 18})
  void decodedValuesMatchServerOutputOnEverySupportedVersion(int version) throws Exception {
    try (PostgresServer pg = PostgresServer.builder().version(version).start()) {
      // The newest protocol each version offers: row messages are the same, but the decoder is
      // configured differently, and the server must accept the version we claim to support.
      new Scenario(pg, highestProtocolVersion(version)).run();
    }
  }

  /**
   * With {@code binary 'true'} (14+) every value of a type with a send function arrives in that
   * format; {@link ColumnValue#text()} must still print exactly what the server prints (the same
   * expected values as the text runs, read back in this session with its St. John's TimeZone), and
   * the types without a codec must say so and keep their bytes.
   */
  @ParameterizedTest(name = "PostgreSQL {0}, binary")
  @ValueSource(ints = {14, 15, 16, 17, 18})
  void binaryValuesPrintAsTheServerPrintsThem(int version) throws Exception {
    try (PostgresServer pg = PostgresServer.builder().version(version).start()) {
      new Scenario(pg, highestProtocolVersion(version), true).run();
    }
  }

  /**
   * Columns whose types have no binary codec: their values stay bytes. None of the fidelity
   * table's: enum, domain and range values are read with the catalog facts the engine loads at
   * connect ({@link io.slotkeeper.pgoutput.PgUserType}), money with lc_monetary C.
   */
  static final Set<String> NO_CODEC = Set.of();

  private static int highestProtocolVersion(int serverVersion) {
    if (serverVersion >= 16) {
      return 4;
    }
    return serverVersion == 15 ? 3 : serverVersion == 14 ? 2 : 1;
  }

  /** The four replica identities, one table each. */
  enum Identity {
    DEFAULT("t_default", null, 'd'),
    FULL("t_full", "FULL", 'f'),
    INDEX("t_index", "USING INDEX " + q("t_index_alt_key"), 'i'),
    NOTHING("t_nothing", "NOTHING", 'n');

    final String table;
    final String clause;
    final char relreplident;

    Identity(String table, String clause, char relreplident) {
      this.table = table;
      this.clause = clause;
      this.relreplident = relreplident;
    }

    /** Columns pgoutput flags as key in Relation and fills in KEY old tuples. */
    Set<String> keyColumns(List<String> allColumns) {
      switch (this) {
        case DEFAULT:
          return Set.of("id"); // the primary key
        case INDEX:
          return Set.of("alt_key"); // the identity index, not the primary key
        case FULL:
          return new LinkedHashSet<>(allColumns); // FULL flags every column
        default:
          return Set.of();
      }
    }

    String label() {
      return "REPLICA IDENTITY " + (this == INDEX ? "USING INDEX" : name());
    }
  }

  /** A published column as the catalog describes it. */
  record CatalogColumn(String name, long typeOid, int typmod, String typeName) {}

  record TableInfo(Identity identity, long oid, char relreplident, List<CatalogColumn> columns) {
    List<String> columnNames() {
      return columns.stream().map(CatalogColumn::name).toList();
    }

    CatalogColumn column(String name) {
      return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    }
  }

  /**
   * A change the decoder must produce. A null value in {@code oldValues}/{@code newValues} means
   * the column must be SQL NULL; {@code unchangedToast} columns must arrive as 'u'.
   */
  record Expected(
      TableInfo table,
      char op,
      String row,
      OldTupleKind oldKind,
      Map<String, String> oldValues,
      Map<String, String> newValues,
      Set<String> unchangedToast) {
    String describe() {
      return table.identity().table + " " + opName(op) + " row " + row;
    }
  }

  /** An UPDATE applied to one row of every table. */
  record UpdateStep(String row, int id, String set, int newId, Set<String> unchangedToast) {}

  /** One decoded transaction: its Begin, the messages between, and its Commit. */
  record Txn(Begin begin, List<PgOutputMessage> messages, Commit commit) {}

  private static String opName(char op) {
    return op == Insert.TAG ? "INSERT" : op == Update.TAG ? "UPDATE" : "DELETE";
  }

  private static final class Scenario {
    private static final String SLOT = "fidelity";
    private final PostgresServer pg;
    private final int version;
    private final int protocolVersion;
    private final boolean binary;
    private final Set<String> seenWithoutCodec = new java.util.TreeSet<>();
    private final Map<Identity, TableInfo> tables = new EnumMap<>(Identity.class);
    private final List<Expected> expected = new ArrayList<>();
    private final List<String> mismatches = new ArrayList<>();

    /** Committed statements whose changes no publication in the slot's list publishes. */
    private int unpublishedCommits;

    private Connection c;

    Scenario(PostgresServer pg, int protocolVersion) {
      this(pg, protocolVersion, false);
    }

    Scenario(PostgresServer pg, int protocolVersion, boolean binary) {
      this.pg = pg;
      this.version = pg.version();
      this.protocolVersion = protocolVersion;
      this.binary = binary;
    }

    void run() throws Exception {
      Properties props = pg.connectionProperties();
      // Simple query protocol: every result column comes back in text format, i.e. exactly what the
      // type's output function printed, which is what pgoutput sends as 't' values.
      PGProperty.PREFER_QUERY_MODE.set(props, "simple");
      try (Connection conn = DriverManager.getConnection(pg.jdbcUrl(), props)) {
        c = conn;
        // A zone with a half-hour, DST-switching offset (and LMT for ancient dates) makes
        // timestamptz
        // output non-trivial; it applies to both the SELECTs and the decoding in this session.
        exec("SET TimeZone = 'America/St_Johns'");
        assertThat(queryString("SHOW server_encoding")).isEqualTo("UTF8");
        setUp();
        insertRows();
        updateRows();
        deleteRows();
        checkNothingIdentityIsRefusedWhenUpdatesArePublished();
        List<Txn> txns = readSlot();
        checkTransactions(txns);
        checkRelationsAndTypes(txns);
        checkChanges(txns);
        if (binary) {
          assertThat(seenWithoutCodec)
              .as("columns whose binary values have no codec")
              .isEqualTo(new java.util.TreeSet<>(NO_CODEC));
        }
        if (!mismatches.isEmpty()) {
          int shown = Math.min(mismatches.size(), 60);
          fail(
              mismatches.size()
                  + " decoder fidelity mismatch(es) on PostgreSQL "
                  + version
                  + ", protocol "
                  + protocolVersion
                  + (binary ? ", binary" : "")
                  + (shown < mismatches.size() ? " (first " + shown + ")" : "")
                  + ":\n  "
                  + String.join("\n  ", mismatches.subList(0, shown)));
        }
      }
    }

    // ------------------------------------------------------------------ setup and DML

    private void setUp() throws SQLException {
      for (String ddl : FidelityData.typeDdl()) {
        exec(ddl);
      }
      for (Identity identity : Identity.values()) {
        for (String ddl : FidelityData.tableDdl(identity.table, identity.clause)) {
          exec(ddl);
        }
      }
      exec("CREATE TABLE " + qualified("t_nothing_err") + " (id int PRIMARY KEY, v text)");
      exec("ALTER TABLE " + qualified("t_nothing_err") + " REPLICA IDENTITY NOTHING");
      exec("INSERT INTO " + qualified("t_nothing_err") + " VALUES (1, 'x')");
      // 18 refuses UPDATE/DELETE on a FULL table whose identity includes an unpublished generated
      // column, so there the generated column is published (which also checks 18's new behaviour).
      String generated = version >= 18 ? ", publish_generated_columns = stored" : "";
      exec(
          "CREATE PUBLICATION fid_pub FOR TABLE "
              + qualified(Identity.DEFAULT.table)
              + ", "
              + qualified(Identity.FULL.table)
              + ", "
              + qualified(Identity.INDEX.table)
              + (generated.isEmpty() ? "" : " WITH (" + generated.substring(2) + ")"));
      exec(
          "CREATE PUBLICATION fid_pub_inserts FOR TABLE "
              + qualified(Identity.NOTHING.table)
              + " WITH (publish = 'insert'"
              + generated
              + ")");
      // Not read by the slot: it only exists to make the server refuse UPDATE/DELETE on
      // t_nothing_err.
      exec("CREATE PUBLICATION fid_pub_err FOR TABLE " + qualified("t_nothing_err"));
      for (Identity identity : Identity.values()) {
        tables.put(identity, catalog(identity));
      }
      // After the DDL: the slot's changes are only the DML below.
      exec("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
    }

    private TableInfo catalog(Identity identity) throws SQLException {
      String regclass = FidelityData.literal(qualified(identity.table)) + "::regclass";
      long oid = Long.parseLong(queryString("SELECT " + regclass + "::oid"));
      char relreplident =
          queryString("SELECT relreplident FROM pg_class WHERE oid = " + regclass).charAt(0);
      List<CatalogColumn> columns = new ArrayList<>();
      // Exactly the columns pgoutput publishes: not dropped, and not generated unless the
      // publication
      // includes generated columns (18).
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT attname, atttypid, atttypmod, format_type(atttypid, atttypmod)"
                      + " FROM pg_attribute WHERE attrelid = "
                      + regclass
                      + " AND attnum > 0 AND NOT attisdropped"
                      + (version >= 18 ? "" : " AND attgenerated = ''")
                      + " ORDER BY attnum")) {
        while (rs.next()) {
          columns.add(
              new CatalogColumn(rs.getString(1), rs.getLong(2), rs.getInt(3), rs.getString(4)));
        }
      }
      TableInfo info = new TableInfo(identity, oid, relreplident, columns);
      List<String> published =
          new ArrayList<>(FidelityData.columns().stream().map(FidelityData.Column::name).toList());
      if (version >= 18) {
        published.add("c_generated");
      }
      assertThat(info.columnNames())
          .as("catalog columns of %s", identity.table)
          .containsExactlyElementsOf(published);
      assertThat(relreplident)
          .as("relreplident of %s", identity.table)
          .isEqualTo(identity.relreplident);
      return info;
    }

    private void insertRows() throws SQLException {
      for (Identity identity : Identity.values()) {
        TableInfo table = tables.get(identity);
        for (FidelityData.Row row : FidelityData.rows(version)) {
          exec(FidelityData.insertSql(identity.table, row));
          // Inserts of every table are published, the NOTHING one's included.
          expected.add(
              new Expected(
                  table,
                  Insert.TAG,
                  row.label(),
                  OldTupleKind.NONE,
                  null,
                  readRow(table, row.id()),
                  Set.of()));
        }
      }
    }

    private void updateRows() throws SQLException {
      List<UpdateStep> steps =
          List.of(
              // Neither key changes and the 100 KB value is untouched: it must arrive as 'u'.
              new UpdateStep(
                  "A",
                  1,
                  "c_int4 = c_int4 + 1, c_text = c_text || ' (updated)',"
                      + " c_jsonb = c_jsonb || '{\"updated\": true}', c_float8 = '-Infinity'",
                  1,
                  Set.of("c_big")),
              // Primary key and identity index column both change.
              new UpdateStep(
                  "B", 2, "id = 20, alt_key = alt_key || ' v2', c_int2 = -1", 20, Set.of()),
              // Only the primary key changes; the old row is all NULLs apart from the keys.
              new UpdateStep("C", 3, "id = 30, c_text = 'no longer NULL'", 30, Set.of()),
              // Only the identity index column changes.
              new UpdateStep("D", 4, "alt_key = 'd changed ✓', c_bool = NOT c_bool", 4, Set.of()));
      for (Identity identity : Identity.values()) {
        TableInfo table = tables.get(identity);
        for (UpdateStep step : steps) {
          Map<String, String> before = readRow(table, step.id());
          exec(
              "UPDATE "
                  + qualified(identity.table)
                  + " SET "
                  + step.set()
                  + " WHERE id = "
                  + step.id());
          Map<String, String> after = readRow(table, step.newId());
          if (identity == Identity.NOTHING) {
            unpublishedCommits++;
            continue;
          }
          Set<String> keys = identity.keyColumns(table.columnNames());
          boolean keyChanged =
              keys.stream().anyMatch(k -> !Objects.equals(before.get(k), after.get(k)));
          OldTupleKind oldKind =
              identity == Identity.FULL
                  ? OldTupleKind.FULL
                  : keyChanged ? OldTupleKind.KEY : OldTupleKind.NONE;
          Map<String, String> oldValues =
              oldKind == OldTupleKind.FULL
                  ? before
                  : oldKind == OldTupleKind.KEY ? keyOnly(before, keys) : null;
          Map<String, String> newValues = new LinkedHashMap<>(after);
          step.unchangedToast().forEach(newValues::remove);
          expected.add(
              new Expected(
                  table,
                  Update.TAG,
                  step.row(),
                  oldKind,
                  oldValues,
                  newValues,
                  step.unchangedToast()));
        }
      }
    }

    private void deleteRows() throws SQLException {
      Map<Integer, String> rows = new LinkedHashMap<>();
      rows.put(1, "A");
      rows.put(20, "B");
      rows.put(30, "C");
      rows.put(4, "D");
      rows.put(5, "E");
      rows.put(6, "F");
      for (Identity identity : Identity.values()) {
        TableInfo table = tables.get(identity);
        for (Map.Entry<Integer, String> row : rows.entrySet()) {
          Map<String, String> before = readRow(table, row.getKey());
          exec("DELETE FROM " + qualified(identity.table) + " WHERE id = " + row.getKey());
          if (identity == Identity.NOTHING) {
            unpublishedCommits++;
            continue;
          }
          OldTupleKind oldKind = identity == Identity.FULL ? OldTupleKind.FULL : OldTupleKind.KEY;
          Map<String, String> oldValues =
              oldKind == OldTupleKind.FULL
                  ? before
                  : keyOnly(before, identity.keyColumns(table.columnNames()));
          expected.add(
              new Expected(table, Delete.TAG, row.getValue(), oldKind, oldValues, null, Set.of()));
        }
      }
    }

    private void checkNothingIdentityIsRefusedWhenUpdatesArePublished() {
      String t = qualified("t_nothing_err");
      assertThatThrownBy(() -> exec("UPDATE " + t + " SET v = 'y' WHERE id = 1"))
          .isInstanceOfSatisfying(
              SQLException.class,
              e -> {
                assertThat(e.getSQLState()).isEqualTo("55000");
                assertThat(e.getMessage())
                    .contains("does not have a replica identity and publishes updates");
              });
      assertThatThrownBy(() -> exec("DELETE FROM " + t + " WHERE id = 1"))
          .isInstanceOfSatisfying(
              SQLException.class,
              e -> {
                assertThat(e.getSQLState()).isEqualTo("55000");
                assertThat(e.getMessage())
                    .contains("does not have a replica identity and publishes deletes");
              });
    }

    /** The row as the server prints it: column name to text output, null for SQL NULL. */
    private Map<String, String> readRow(TableInfo table, int id) throws SQLException {
      String columns =
          table.columnNames().stream().map(FidelityData::q).collect(Collectors.joining(", "));
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT "
                      + columns
                      + " FROM "
                      + qualified(table.identity().table)
                      + " WHERE id = "
                      + id)) {
        assertThat(rs.next()).as("row id %d of %s", id, table.identity().table).isTrue();
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < table.columns().size(); i++) {
          values.put(table.columns().get(i).name(), rs.getString(i + 1));
        }
        return values;
      }
    }

    /** What a KEY old tuple holds: the key columns' values, every other column NULL. */
    private static Map<String, String> keyOnly(Map<String, String> row, Set<String> keys) {
      Map<String, String> out = new LinkedHashMap<>();
      row.forEach((column, value) -> out.put(column, keys.contains(column) ? value : null));
      return out;
    }

    // ------------------------------------------------------------------ reading the slot

    /** The engine's catalog query for enum, domain, range and multirange types, in this session. */
    private Map<Integer, io.slotkeeper.pgoutput.PgUserType> userTypes() throws SQLException {
      Map<Integer, io.slotkeeper.pgoutput.PgUserType> types = new java.util.HashMap<>();
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(io.slotkeeper.pgoutput.PgUserType.catalogQuery(version))) {
        while (rs.next()) {
          io.slotkeeper.pgoutput.PgUserType t =
              io.slotkeeper.pgoutput.PgUserType.of(
                  rs.getString(1), rs.getString(2), rs.getString(3));
          types.put(t.oid(), t);
        }
      }
      return types;
    }

    private List<Txn> readSlot() throws SQLException {
      PgOutputDecoder decoder = new PgOutputDecoder(protocolVersion, false);
      // BINARY values print with this session's settings, as the SELECTs of the expected values.
      decoder.valueFormat(
          new io.slotkeeper.pgoutput.ValueFormat(
                  queryString("SHOW TimeZone"),
                  queryString("SHOW DateStyle"),
                  queryString("SHOW IntervalStyle"),
                  Integer.parseInt(queryString("SHOW extra_float_digits")),
                  queryString("SHOW bytea_output"))
              .withLcMonetary(queryString("SHOW lc_monetary"))
              .withUserTypes(userTypes()));
      List<Txn> txns = new ArrayList<>();
      Begin begin = null;
      List<PgOutputMessage> messages = new ArrayList<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT xid::text, data FROM pg_logical_slot_get_binary_changes("
                  + "?, NULL, NULL, 'proto_version', ?, 'publication_names', 'fid_pub,fid_pub_inserts'"
                  + (binary ? ", 'binary', 'true'" : "")
                  + ")")) {
        ps.setString(1, SLOT);
        ps.setString(2, Integer.toString(protocolVersion));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long xid = Long.parseLong(rs.getString(1));
            byte[] payload = rs.getBytes(2);
            PgOutputMessage message;
            try {
              message = decoder.decode(ByteBuffer.wrap(payload));
            } catch (PgOutputDecodeException e) {
              throw new AssertionError(
                  "decoder rejected a real server message ("
                      + payload.length
                      + " bytes, first byte '"
                      + (char) payload[0]
                      + "'): "
                      + e.getMessage(),
                  e);
            }
            if (message instanceof Begin b) {
              assertThat(begin).as("Begin inside an open transaction").isNull();
              begin = b;
              messages = new ArrayList<>();
            } else if (message instanceof Commit commit) {
              assertThat(begin).as("Commit without Begin").isNotNull();
              txns.add(new Txn(begin, messages, commit));
              begin = null;
            } else {
              assertThat(begin)
                  .as("%s outside a transaction", message.getClass().getSimpleName())
                  .isNotNull();
              messages.add(message);
            }
            if (begin != null || message instanceof Commit) {
              long txnXid = begin != null ? begin.xid() : txns.get(txns.size() - 1).begin().xid();
              assertThat(xid).as("xid of the output row vs Begin.xid").isEqualTo(txnXid);
            }
          }
        }
      }
      assertThat(begin).as("transaction left open at the end of the slot's output").isNull();
      return txns;
    }

    // ------------------------------------------------------------------ checks

    private void checkTransactions(List<Txn> txns) {
      int empty = 0;
      for (Txn txn : txns) {
        assertThat(txn.commit().commitLsn())
            .as("Commit LSN vs Begin final LSN of xid %d", txn.begin().xid())
            .isEqualTo(txn.begin().finalLsn());
        assertThat(txn.commit().endLsn().compareTo(txn.commit().commitLsn()))
            .as("end LSN after commit LSN")
            .isPositive();
        long changes = txn.messages().stream().filter(DecoderFidelityIT::isChange).count();
        if (changes == 0) {
          empty++;
        } else {
          assertThat(changes)
              .as("changes in transaction %d (one statement, one row)", txn.begin().xid())
              .isEqualTo(1);
        }
      }
      // Before 15, pgoutput sends Begin/Commit even when no change of the transaction is published;
      // from 15 on it leaves such transactions out.
      assertThat(empty)
          .as("transactions without published changes (PostgreSQL %d)", version)
          .isEqualTo(version < 15 ? unpublishedCommits : 0);
    }

    private void checkRelationsAndTypes(List<Txn> txns) throws SQLException {
      Set<Identity> seen = new HashSet<>();
      Set<String> types = new LinkedHashSet<>();
      for (Txn txn : txns) {
        for (PgOutputMessage m : txn.messages()) {
          if (m instanceof Relation r) {
            checkRelation(r);
            tableOf(r).ifPresent(t -> seen.add(t.identity()));
          } else if (m instanceof TypeInfo t) {
            types.add(Integer.toUnsignedString(t.oid()) + " " + t.namespace() + "." + t.name());
          }
        }
      }
      assertThat(seen)
          .as("tables that got a Relation message")
          .containsExactlyInAnyOrder(Identity.values());
      // pgoutput describes the types that are not built in (the enum and the domain) with Type
      // messages. For a domain it sends the domain's oid but the name and namespace of its base
      // type
      // (logicalrep_write_typ looks up getBaseType), with pg_catalog sent as the empty string.
      Set<String> expectedTypes = new LinkedHashSet<>();
      for (String name : List.of("mood", "posint")) {
        expectedTypes.add(
            queryString(
                "SELECT t.oid::text || ' ' || CASE WHEN n.nspname = 'pg_catalog' THEN ''"
                    + " ELSE n.nspname END || '.' || b.typname FROM pg_type t"
                    + " JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END"
                    + " JOIN pg_namespace n ON n.oid = b.typnamespace"
                    + " WHERE t.oid = '"
                    + q(SCHEMA)
                    + "."
                    + name
                    + "'::regtype"));
      }
      assertThat(types)
          .as("Type messages (oid namespace.name)")
          .containsExactlyInAnyOrderElementsOf(expectedTypes);
    }

    private Optional<TableInfo> tableOf(Relation r) {
      return tables.values().stream().filter(t -> t.identity().table.equals(r.name())).findFirst();
    }

    private void checkRelation(Relation r) {
      TableInfo table = tableOf(r).orElse(null);
      if (table == null) {
        mismatches.add("Relation for an unexpected table: " + r.qualifiedName());
        return;
      }
      String where = "Relation " + r.name() + " [" + table.identity().label() + "]: ";
      check(where + "namespace", SCHEMA, r.namespace());
      check(where + "oid", Long.toString(table.oid()), r.oidString());
      check(
          where + "replica identity",
          String.valueOf(table.relreplident()),
          String.valueOf((char) r.replicaIdentity()));
      check(
          where + "column names",
          table.columnNames().toString(),
          r.columns().stream().map(RelationColumn::name).toList().toString());
      Set<String> keys = table.identity().keyColumns(table.columnNames());
      for (int i = 0; i < Math.min(r.columns().size(), table.columns().size()); i++) {
        RelationColumn rc = r.columns().get(i);
        CatalogColumn cc = table.columns().get(i);
        String col = where + "column " + q(cc.name()) + " (" + cc.typeName() + ") ";
        check(
            col + "type oid (pg_attribute.atttypid)",
            Long.toString(cc.typeOid()),
            Integer.toUnsignedString(rc.typeOid()));
        check(
            col + "type modifier (atttypmod)",
            Integer.toString(cc.typmod()),
            Integer.toString(rc.typeModifier()));
        check(
            col + "key flag",
            Boolean.toString(keys.contains(cc.name())),
            Boolean.toString(rc.key()));
      }
    }

    private void checkChanges(List<Txn> txns) {
      List<PgOutputMessage> changes =
          txns.stream()
              .flatMap(t -> t.messages().stream())
              .filter(DecoderFidelityIT::isChange)
              .toList();
      List<String> expectedOrder =
          expected.stream().map(e -> e.table().identity().table + " " + opName(e.op())).toList();
      List<String> decodedOrder =
          changes.stream().map(m -> relationOf(m).name() + " " + opName(m.tag())).toList();
      assertThat(decodedOrder)
          .as("decoded changes, in commit order")
          .containsExactlyElementsOf(expectedOrder);
      for (int i = 0; i < changes.size(); i++) {
        Expected e = expected.get(i);
        PgOutputMessage m = changes.get(i);
        if (m instanceof Insert insert) {
          compareTuple(
              e,
              "new tuple",
              insert.relation(),
              insert.newTuple(),
              e.newValues(),
              e.unchangedToast());
        } else if (m instanceof Update update) {
          compareOld(e, update.relation(), update.oldKind(), update.oldTuple());
          compareTuple(
              e,
              "new tuple",
              update.relation(),
              update.newTuple(),
              e.newValues(),
              e.unchangedToast());
        } else if (m instanceof Delete delete) {
          compareOld(e, delete.relation(), delete.oldKind(), delete.oldTuple());
        }
      }
    }

    private void compareOld(Expected e, Relation relation, OldTupleKind kind, TupleData oldTuple) {
      String where = e.describe() + " [" + e.table().identity().label() + "]";
      if (kind != e.oldKind()) {
        mismatches.add(
            where + ": old tuple kind: expected " + e.oldKind() + " but decoded " + kind);
        return;
      }
      if (kind != OldTupleKind.NONE) {
        compareTuple(
            e, "old tuple ('" + kind.code() + "')", relation, oldTuple, e.oldValues(), Set.of());
      }
    }

    private void compareTuple(
        Expected e,
        String which,
        Relation relation,
        TupleData tuple,
        Map<String, String> values,
        Set<String> unchangedToast) {
      String where = e.describe() + " [" + e.table().identity().label() + "], " + which;
      if (tuple.size() != relation.columns().size()) {
        mismatches.add(
            where + ": " + tuple.size() + " values for " + relation.columns().size() + " columns");
        return;
      }
      for (int i = 0; i < tuple.size(); i++) {
        String name = relation.columns().get(i).name();
        CatalogColumn column = e.table().column(name);
        String at =
            where
                + ", column "
                + q(name)
                + " ("
                + (column == null ? "?" : column.typeName())
                + "): ";
        ColumnValue actual = tuple.get(i);
        if (unchangedToast.contains(name)) {
          if (!actual.isUnchangedToast()) {
            mismatches.add(at + "expected unchanged TOAST ('u') but decoded " + show(actual));
          }
          continue;
        }
        if (!values.containsKey(name)) {
          mismatches.add(at + "no expected value (column unknown to the catalog query)");
          continue;
        }
        String want = values.get(name);
        if (want == null) {
          if (!actual.isNull()) {
            mismatches.add(at + "expected NULL but decoded " + show(actual));
          }
        } else if (actual.kind() != (binary ? ColumnValue.Kind.BINARY : ColumnValue.Kind.TEXT)) {
          mismatches.add(at + "expected " + show(want) + " but decoded " + show(actual));
        } else if (!actual.hasCodec()) {
          seenWithoutCodec.add(name);
          if (actual.typeOid() != column.typeOid()) {
            mismatches.add(at + "type oid " + actual.typeOid() + " of a value without codec");
          }
        } else if (!want.equals(actual.text())) {
          mismatches.add(
              at
                  + "expected "
                  + show(want)
                  + " but decoded "
                  + show(actual.text())
                  + firstDifference(want, actual.text()));
        }
      }
    }

    private void check(String what, String want, String got) {
      if (!want.equals(got)) {
        mismatches.add(what + ": expected " + want + " but decoded " + got);
      }
    }

    // ------------------------------------------------------------------ SQL

    private void exec(String sql) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute(sql);
      }
    }

    private String queryString(String sql) throws SQLException {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  // -------------------------------------------------------------------- helpers

  private static boolean isChange(PgOutputMessage m) {
    return m instanceof Insert || m instanceof Update || m instanceof Delete;
  }

  private static Relation relationOf(PgOutputMessage m) {
    if (m instanceof Insert i) {
      return i.relation();
    }
    if (m instanceof Update u) {
      return u.relation();
    }
    return ((Delete) m).relation();
  }

  private static String show(ColumnValue v) {
    switch (v.kind()) {
      case TEXT:
        return show(v.text());
      case NULL:
        return "NULL";
      case UNCHANGED_TOAST:
        return "unchanged TOAST ('u')";
      default:
        return v.hasCodec()
            ? "binary value printed as " + show(v.text())
            : "binary value of " + v.length() + " bytes";
    }
  }

  /** A value for a failure message: quoted, control characters visible, long values shortened. */
  private static String show(String s) {
    if (s == null) {
      return "NULL";
    }
    boolean shortened = s.length() > 120;
    String shown = shortened ? s.substring(0, 100) + "…" : s;
    StringBuilder sb = new StringBuilder("'");
    shown
        .codePoints()
        .forEach(
            cp -> {
              if (cp < 0x20 || cp == 0x7f) {
                sb.append(String.format("\\x%02x", cp));
              } else {
                sb.appendCodePoint(cp);
              }
            });
    sb.append('\'');
    if (shortened) {
      sb.append(" (").append(s.length()).append(" chars)");
    }
    return sb.toString();
  }

  private static String firstDifference(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return " (first difference at char " + i + ")";
  }
}
