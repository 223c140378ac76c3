package io.slotkeeper.internal.snapshot;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.TableName;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.TupleData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A table the online backfill reads, and its chunk query: {@code WHERE (key) > (last) ORDER BY key
 * LIMIT n} (keyset pagination on the primary key, each chunk an index scan starting where the last
 * one ended), in text format, with the publications' column list and row filter as the stream
 * applies them. Its own small query rather than {@link TableReader}'s: that one reads inside an
 * imported snapshot, this one one statement at a time in READ COMMITTED between watermarks.
 *
 * <p>Refused (an {@link IllegalArgumentException} saying why and what to do): a table the
 * publications do not publish (the stream would not carry its changes, which is what the watermarks
 * rely on), one without a primary key (chunks are key ranges and the stream's changes are matched
 * to the chunk by key; no safe order to resume in either), one whose replica identity is neither
 * DEFAULT nor FULL (a delete would not carry the primary key), a column list without the key, and
 * {@code deliver-in-progress} (a streamed transaction's changes arrive before its commit, so before
 * the watermark they belong after).
 *
 * <p>A partitioned table is backfilled the way the stream carries its changes: published via its
 * root, the root is read with its partitions (no {@code ONLY}) and its rows go under the root's
 * name; published by its partitions ({@code publish_via_partition_root} off), {@link #describe}
 * answers {@link PublishedAsPartitions} and each published partition is backfilled as a table.
 */
final class BackfillTable {

  final TableName name;
  final PublishedTable table;

  /** The primary key's columns, unquoted, in index order. */
  final List<String> keyColumns;

  private BackfillTable(TableName name, PublishedTable table, List<String> keyColumns) {
    this.name = name;
    this.table = table;
    this.keyColumns = keyColumns;
  }

  static BackfillTable describe(Connection c, TableName name, SourceSettings settings)
      throws SQLException {
    if (settings.stream().deliverInProgress()) {
      throw refuse(
          name,
          "deliver-in-progress is on: changes of streamed transactions arrive before their commit,"
              + " so the watermarks cannot place them; turn deliver-in-progress off to backfill");
    }
    int major = c.getMetaData().getDatabaseMajorVersion();
    PublishedTable found = null;
    List<PublishedTable> published = PublishedTables.list(c, settings.publication().names(), major);
    for (PublishedTable t : published) {
      String schema = t.relation().namespace().isEmpty() ? "pg_catalog" : t.relation().namespace();
      if (schema.equals(name.schema()) && t.relation().name().equals(name.name())) {
        found = t;
      }
    }
    if (found == null) {
      boolean exists;
      try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
        ps.setString(1, name.quoted());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          exists = rs.getBoolean(1);
        }
      }
      if (!exists) {
        throw new Missing(name);
      }
      List<TableName> partitions = publishedPartitions(c, name, published);
      if (!partitions.isEmpty()) {
        throw new PublishedAsPartitions(name, partitions);
      }
      throw refuse(
          name,
          "is not published by "
              + settings.publication().names()
              + ": the stream carries no changes of it; ALTER PUBLICATION ... ADD TABLE "
              + name.quoted());
    }
    if (!found.keyed()) {
      throw refuse(
          name,
          "has no primary key: a backfill reads key ranges and matches the stream's changes to"
              + " them by key; add a primary key (ALTER TABLE "
              + name.quoted()
              + " ADD PRIMARY KEY (...))");
    }
    int identity = found.relation().replicaIdentity();
    if (identity != Relation.REPLICA_IDENTITY_DEFAULT
        && identity != Relation.REPLICA_IDENTITY_FULL) {
      throw refuse(
          name,
          "has replica identity "
              + (identity == Relation.REPLICA_IDENTITY_INDEX ? "USING INDEX" : "NOTHING")
              + ": its deletes do not carry the primary key; ALTER TABLE "
              + name.quoted()
              + " REPLICA IDENTITY DEFAULT");
    }
    List<String> keyColumns = new ArrayList<>();
    for (String quoted : found.keySql()) {
      String column = quoted.substring(1, quoted.length() - 1).replace("\"\"", "\"");
      if (found.relation().columnIndex(column) < 0) {
        throw refuse(
            name,
            "is published without its primary-key column "
                + column
                + " (a column list): the stream's changes cannot be matched to the chunks");
      }
      keyColumns.add(column);
    }
    return new BackfillTable(name, found, List.copyOf(keyColumns));
  }

  /**
   * {@code name} is a partitioned table whose partitions are published in its stead ({@code
   * publish_via_partition_root} off): the stream carries its changes under theirs, so each is
   * backfilled as a table of its own.
   */
  static final class PublishedAsPartitions extends IllegalArgumentException {
    final List<TableName> partitions;

    PublishedAsPartitions(TableName name, List<TableName> partitions) {
      super(name + " is published by its partitions " + partitions);
      this.partitions = List.copyOf(partitions);
    }
  }

  /** The partitions of {@code name} (at any depth) that {@code published} lists, in tree order. */
  private static List<TableName> publishedPartitions(
      Connection c, TableName name, List<PublishedTable> published) throws SQLException {
    List<TableName> out = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT n.nspname, k.relname FROM pg_partition_tree(?::regclass) t"
                + " JOIN pg_class k ON k.oid = t.relid JOIN pg_namespace n ON n.oid = k.relnamespace"
                + " WHERE t.level > 0 ORDER BY t.level, n.nspname, k.relname")) {
      ps.setString(1, name.quoted());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String schema = rs.getString(1);
          String table = rs.getString(2);
          for (PublishedTable t : published) {
            String s = t.relation().namespace().isEmpty() ? "pg_catalog" : t.relation().namespace();
            if (s.equals(schema) && t.relation().name().equals(table)) {
              out.add(TableName.of(schema, table));
            }
          }
        }
      }
    }
    return out;
  }

  /** The table does not exist (never did, or was dropped since its backfill was asked for). */
  static final class Missing extends IllegalArgumentException {
    Missing(TableName name) {
      super("cannot backfill " + name + ": it does not exist");
    }
  }

  private static IllegalArgumentException refuse(TableName name, String why) {
    return new IllegalArgumentException("cannot backfill " + name + ": it " + why);
  }

  Relation relation() {
    return table.relation();
  }

  /** A chunk read by {@link #next}: its rows and the key of the last one (null: none). */
  record Chunk(List<TupleData> rows, List<String> lastKey) {}

  /** Up to {@code limit} rows after {@code after} (null: from the first), in key order. */
  Chunk next(Connection c, List<String> after, int limit) throws SQLException {
    int n = table.columnSql().size();
    StringBuilder sql = new StringBuilder("SELECT ");
    sql.append(table.columnSql().isEmpty() ? "NULL" : String.join(", ", table.columnSql()));
    sql.append(", ").append(String.join(", ", table.keySql()));
    // A partitioned table published via its root is read with its partitions.
    sql.append(" FROM ").append(table.only() ? "ONLY " : "").append(table.qualified());
    List<String> conditions = new ArrayList<>();
    if (table.rowFilter() != null) {
      conditions.add("(" + table.rowFilter() + ")");
    }
    if (after != null) {
      List<String> params = new ArrayList<>();
      for (String type : table.keyTypes()) {
        params.add("?::" + type);
      }
      conditions.add(
          "(" + String.join(", ", table.keySql()) + ") > (" + String.join(", ", params) + ")");
    }
    if (!conditions.isEmpty()) {
      sql.append(" WHERE ").append(String.join(" AND ", conditions));
    }
    sql.append(" ORDER BY ").append(String.join(", ", table.keySql()));
    sql.append(" LIMIT ").append(limit);
    List<TupleData> rows = new ArrayList<>();
    List<String> lastKey = null;
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      if (after != null) {
        for (int i = 0; i < after.size(); i++) {
          ps.setString(i + 1, after.get(i));
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ColumnValue[] values = new ColumnValue[n];
          for (int i = 0; i < n; i++) {
            String v = rs.getString(i + 1);
            values[i] = v == null ? ColumnValue.NULL : ColumnValue.text(v);
          }
          rows.add(TupleData.of(values));
          List<String> key = new ArrayList<>(table.keySql().size());
          for (int k = 0; k < table.keySql().size(); k++) {
            key.add(rs.getString(n + 1 + k));
          }
          lastKey = key;
        }
      }
    }
    return new Chunk(rows, lastKey);
  }
}
