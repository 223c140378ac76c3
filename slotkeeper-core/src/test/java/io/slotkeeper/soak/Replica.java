package io.slotkeeper.soak;

import io.slotkeeper.postgres.PostgresServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An in-memory copy of the published tables built only from delivered changes, keyed by primary
 * key: INSERT puts a row, UPDATE replaces its columns except those marked unchanged (TOAST values
 * the server did not resend: the old value stays), DELETE removes it, TRUNCATE empties tables.
 * Values are in {@link Canon} form.
 */
final class Replica {
  private final Map<String, Map<String, Map<String, String>>> tables = new TreeMap<>();
  private final List<String> problems = new ArrayList<>();

  void apply(Unit unit) {
    for (String change : unit.changes()) {
      apply(unit, change);
    }
  }

  private void apply(Unit unit, String change) {
    String[] words = change.split(" ");
    switch (words[0]) {
      case "INSERT", "UPDATE", "DELETE" -> {
        Map<String, Map<String, String>> rows =
            tables.computeIfAbsent(words[1], t -> new TreeMap<>());
        Map<String, String> columns = new LinkedHashMap<>();
        for (int i = 2; i < words.length; i++) {
          int eq = words[i].indexOf('=');
          columns.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        String id = columns.get("id");
        Map<String, String> old = rows.get(id);
        if (words[0].equals("DELETE")) {
          if (rows.remove(id) == null) {
            problems.add(
                "DELETE of a row the replica does not have, in " + unit.describe() + ": " + change);
          }
          return;
        }
        if (words[0].equals("UPDATE") && old == null) {
          problems.add(
              "UPDATE of a row the replica does not have, in " + unit.describe() + ": " + change);
        }
        Map<String, String> row = new HashMap<>();
        for (Map.Entry<String, String> c : columns.entrySet()) {
          String value = c.getValue();
          if (value.equals(Canon.UNCHANGED)) {
            value = old == null ? null : old.get(c.getKey());
            if (value == null) {
              problems.add(
                  "unchanged TOAST value with no old value, in " + unit.describe() + ": " + change);
            }
          }
          row.put(c.getKey(), value);
        }
        rows.put(id, row);
      }
      case "TRUNCATE" -> {
        for (String t : words[1].split(",")) {
          tables.computeIfAbsent(t, x -> new TreeMap<>()).clear();
        }
      }
      default -> {
        // messages change no table
      }
    }
  }

  List<String> problems() {
    return problems;
  }

  /** Differences between the replica and the source tables as SELECTed now; empty when equal. */
  List<String> differencesFrom(PostgresServer pg, List<String> tableNames) {
    List<String> diffs = new ArrayList<>();
    for (String t : tableNames) {
      Map<String, Map<String, String>> source =
          pg.query(
              "SELECT id::text, v, big FROM " + t,
              rs -> {
                Map<String, Map<String, String>> rows = new TreeMap<>();
                while (rs.next()) {
                  Map<String, String> row = new HashMap<>();
                  row.put("id", Canon.value(rs.getString(1)));
                  row.put("v", Canon.value(rs.getString(2)));
                  row.put("big", Canon.value(rs.getString(3)));
                  rows.put(rs.getString(1), row);
                }
                return rows;
              });
      Map<String, Map<String, String>> copy = tables.getOrDefault(t, Map.of());
      for (String id : source.keySet()) {
        if (!copy.containsKey(id)) {
          diffs.add(t + " id " + id + ": missing in the replica");
        } else if (!copy.get(id).equals(source.get(id))) {
          diffs.add(
              t + " id " + id + ": replica " + copy.get(id) + " but source " + source.get(id));
        }
      }
      for (String id : copy.keySet()) {
        if (!source.containsKey(id)) {
          diffs.add(t + " id " + id + ": in the replica but not in the source");
        }
      }
    }
    return diffs;
  }
}
