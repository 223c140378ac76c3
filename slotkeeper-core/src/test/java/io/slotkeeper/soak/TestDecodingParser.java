package io.slotkeeper.soak;

import io.slotkeeper.Lsn;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns test_decoding's text rows (options include-xids 1, skip-empty-xacts 0) into {@link Unit}s.
 * Written from test_decoding.c, sharing nothing with the engine's decoder. Row LSNs: BEGIN is the
 * transaction's first record, a change is the start of its record, COMMIT is the END of the commit
 * record, a message is the END of the message record. Transactions without changes (aborted
 * subtransactions only, ANALYZE) are dropped: pgoutput 15+ does not send them either.
 */
final class TestDecodingParser {
  private final boolean keepMessages;
  private final List<Unit> units = new ArrayList<>();
  private long openXid = -1;
  private List<String> open;

  /**
   * @param keepMessages false on PostgreSQL 13, where pgoutput never sends logical messages
   */
  TestDecodingParser(boolean keepMessages) {
    this.keepMessages = keepMessages;
  }

  void accept(Lsn lsn, String data) {
    if (data.startsWith("BEGIN ")) {
      require(open == null, data, "BEGIN inside a transaction");
      openXid = Long.parseLong(data.substring("BEGIN ".length()).trim());
      open = new ArrayList<>();
    } else if (data.startsWith("COMMIT ")) {
      require(open != null, data, "COMMIT outside a transaction");
      if (!open.isEmpty()) {
        units.add(new Unit(Unit.Kind.TRANSACTION, lsn, openXid, open));
      }
      open = null;
    } else if (data.startsWith("message: ")) {
      acceptMessage(lsn, data);
    } else if (data.startsWith("table ")) {
      require(open != null, data, "change outside a transaction");
      open.add(change(data));
    } else {
      throw new IllegalStateException("unexpected test_decoding row at " + lsn + ": " + data);
    }
  }

  /**
   * The units so far; fails if a transaction is still open (the peek always ends at a boundary).
   */
  List<Unit> units() {
    require(open == null, "", "output ends inside a transaction");
    return units;
  }

  // message: transactional: 1 prefix: soak, sz: 5 content:abcde
  private void acceptMessage(Lsn lsn, String data) {
    boolean transactional = data.startsWith("message: transactional: 1 ");
    int prefixAt = data.indexOf("prefix: ") + "prefix: ".length();
    String prefix = data.substring(prefixAt, data.indexOf(", sz: ", prefixAt));
    String content = data.substring(data.indexOf(" content:") + " content:".length());
    if (!keepMessages) {
      return;
    }
    String canon = Canon.message(transactional, prefix, content);
    if (transactional) {
      require(open != null, data, "transactional message outside a transaction");
      open.add(canon);
    } else {
      // Sent at once when decoded, never inside another transaction's output.
      require(open == null, data, "standalone message inside a transaction's output");
      units.add(new Unit(Unit.Kind.MESSAGE, lsn, 0, List.of(canon)));
    }
  }

  // table public.soak_t1: INSERT: id[bigint]:1 v[text]:'abc' big[text]:null
  // table public.soak_t1, public.soak_t2: TRUNCATE: (no-flags)
  private static String change(String data) {
    int colon = data.indexOf(": ");
    String tables = data.substring("table ".length(), colon);
    String rest = data.substring(colon + 2);
    int opEnd = rest.indexOf(':');
    String op = rest.substring(0, opEnd);
    String tuple = rest.substring(opEnd + 1).trim();
    if (op.equals("TRUNCATE")) {
      List<String> names = new ArrayList<>();
      for (String t : tables.split(", ")) {
        names.add(unqualified(t));
      }
      names.sort(null);
      return "TRUNCATE " + String.join(",", names);
    }
    require(
        !tuple.contains("old-key:") && !tuple.contains("(no-tuple-data)"),
        data,
        "unexpected tuple form");
    StringBuilder out = new StringBuilder(op).append(' ').append(unqualified(tables));
    // Values never contain spaces: the workload writes only letters and digits.
    for (String column : tuple.split(" ")) {
      int typeOpen = column.indexOf('[');
      int valueAt = column.indexOf("]:") + 2;
      out.append(' ')
          .append(column, 0, typeOpen)
          .append('=')
          .append(value(column.substring(valueAt)));
    }
    return out.toString();
  }

  private static String value(String printed) {
    if (printed.equals("null")) {
      return Canon.NULL;
    }
    if (printed.equals("unchanged-toast-datum")) {
      return Canon.UNCHANGED;
    }
    if (printed.startsWith("'")) {
      return Canon.value(printed.substring(1, printed.length() - 1).replace("''", "'"));
    }
    return Canon.value(printed);
  }

  private static String unqualified(String name) {
    return name.startsWith("public.") ? name.substring("public.".length()) : name;
  }

  private static void require(boolean ok, String row, String problem) {
    if (!ok) {
      throw new IllegalStateException("test_decoding output: " + problem + ": " + row);
    }
  }
}
