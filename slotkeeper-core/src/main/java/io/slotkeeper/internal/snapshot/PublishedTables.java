package io.slotkeeper.internal.snapshot;

import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tables of the publications, read from {@code pg_publication_tables} inside the snapshot (so
 * the list is the one at the consistent point). That view already applies {@code
 * publish_via_partition_root}: with it, a partitioned table appears as its root (read with its
 * partitions); without it, as its leaf partitions. On 15+ it also gives each table's column list
 * ({@code attnames}) and row filter ({@code rowfilter}); a table in several publications gets the
 * union of their columns and the OR of their filters (no filter when any publication has none), as
 * pgoutput combines them.
 */
final class PublishedTables {
  private PublishedTables() {}

  private record Entry(
      int oid,
      String schema,
      String name,
      char relkind,
      char replident,
      long reltuples,
      Set<String> attnames,
      List<String> filters,
      boolean unfiltered) {}

  static List<PublishedTable> list(Connection c, List<String> publications, int majorVersion)
      throws SQLException {
    boolean v15 = majorVersion >= 15;
    String sql =
        "SELECT c.oid, n.nspname, c.relname, c.relkind, c.relreplident, c.reltuples::bigint, "
            + (v15 ? "pt.attnames::text[], pt.rowfilter" : "NULL::text[], NULL::text")
            + " FROM pg_publication_tables pt"
            + " JOIN pg_namespace n ON n.nspname = pt.schemaname"
            + " JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename"
            + " WHERE pt.pubname = ANY (?) ORDER BY n.nspname, c.relname";
    Map<Integer, Entry> entries = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      Array pubs = c.createArrayOf("text", publications.toArray());
      ps.setArray(1, pubs);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int oid = (int) rs.getLong(1);
          Array names = rs.getArray(7);
          String filter = rs.getString(8);
          Entry e =
              entries.computeIfAbsent(
                  oid,
                  k -> {
                    try {
                      return new Entry(
                          k,
                          rs.getString(2),
                          rs.getString(3),
                          rs.getString(4).charAt(0),
                          rs.getString(5).charAt(0),
                          rs.getLong(6),
                          new HashSet<>(),
                          new ArrayList<>(),
                          false);
                    } catch (SQLException ex) {
                      throw new IllegalStateException(ex);
                    }
                  });
          if (names != null) {
            e.attnames().addAll(Arrays.asList((String[]) names.getArray()));
          }
          if (filter == null) {
            entries.put(
                oid,
                new Entry(
                    e.oid(),
                    e.schema(),
                    e.name(),
                    e.relkind(),
                    e.replident(),
                    e.reltuples(),
                    e.attnames(),
                    e.filters(),
                    true));
          } else {
            e.filters().add(filter);
          }
        }
      }
    }
    List<PublishedTable> tables = new ArrayList<>();
    for (Entry e : entries.values()) {
      tables.add(describe(c, e, v15));
    }
    return tables;
  }

  private static PublishedTable describe(Connection c, Entry e, boolean v15) throws SQLException {
    // Generated columns are not published by pgoutput (before 18 never; on 18 the column list
    // says whether they are); dropped ones never.
    String sql =
        "SELECT a.attname, a.atttypid, a.atttypmod, a.attgenerated <> '' AS generated,"
            + " a.attnum = ANY (ri.cols) AS identity"
            + " FROM pg_attribute a"
            + " LEFT JOIN LATERAL (SELECT i.indkey::int2[] AS cols FROM pg_index i WHERE i.indrelid = a.attrelid"
            + "   AND CASE ? WHEN 'd' THEN i.indisprimary WHEN 'i' THEN i.indisreplident ELSE false END"
            + "   LIMIT 1) ri ON true"
            + " WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
    List<RelationColumn> columns = new ArrayList<>();
    List<String> columnSql = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, String.valueOf(e.replident()));
      ps.setLong(2, Integer.toUnsignedLong(e.oid()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String name = rs.getString(1);
          boolean generated = rs.getBoolean(4);
          boolean published =
              v15 && !e.attnames().isEmpty() ? e.attnames().contains(name) : !generated;
          if (!published) {
            continue;
          }
          boolean key = e.replident() == 'f' || rs.getBoolean(5);
          columns.add(new RelationColumn(name, (int) rs.getLong(2), rs.getInt(3), key));
          columnSql.add(quote(name));
        }
      }
    }
    List<String> keySql = new ArrayList<>();
    List<String> keyTypes = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod)"
                + " FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)"
                + " JOIN pg_attribute a ON a.attrelid = ? AND a.attnum = k.attnum"
                + " WHERE i.indrelid = ? AND i.indisprimary ORDER BY k.ord")) {
      ps.setLong(1, Integer.toUnsignedLong(e.oid()));
      ps.setLong(2, Integer.toUnsignedLong(e.oid()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keySql.add(quote(rs.getString(1)));
          keyTypes.add(rs.getString(2));
        }
      }
    }
    String filter =
        e.unfiltered() || e.filters().isEmpty()
            ? null
            : "(" + String.join(") OR (", e.filters()) + ")";
    Relation relation =
        new Relation(
            0,
            e.oid(),
            "pg_catalog".equals(e.schema()) ? "" : e.schema(),
            e.name(),
            e.replident(),
            columns);
    return new PublishedTable(
        relation,
        quote(e.schema()) + "." + quote(e.name()),
        e.relkind() != 'p',
        columnSql,
        keySql,
        keyTypes,
        filter,
        e.reltuples());
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
