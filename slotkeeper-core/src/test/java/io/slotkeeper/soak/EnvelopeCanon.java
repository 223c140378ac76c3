package io.slotkeeper.soak;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.Update;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** An engine envelope's change in the {@link Canon} text form, so it compares with the oracle's. */
final class EnvelopeCanon {
  private EnvelopeCanon() {}

  static String of(ChangeEnvelope e) {
    if (e.message() instanceof Insert m) {
      return tuple("INSERT", m.relation(), m.newTuple(), false);
    } else if (e.message() instanceof Update m) {
      return tuple("UPDATE", m.relation(), m.newTuple(), false);
    } else if (e.message() instanceof Delete m) {
      // The old tuple of a DELETE holds the replica identity; test_decoding prints only those
      // columns.
      return tuple("DELETE", m.relation(), m.oldTuple(), true);
    } else if (e.message() instanceof Truncate m) {
      List<String> names = new ArrayList<>();
      for (Relation r : m.relations()) {
        names.add(r.name());
      }
      names.sort(null);
      return "TRUNCATE " + String.join(",", names);
    } else if (e.message() instanceof LogicalMessage m) {
      return Canon.message(
          m.transactional(), m.prefix(), new String(m.content(), StandardCharsets.UTF_8));
    }
    throw new IllegalArgumentException("not a change: " + e);
  }

  private static String tuple(String op, Relation relation, TupleData tuple, boolean keyOnly) {
    StringBuilder out = new StringBuilder(op).append(' ').append(relation.name());
    for (int i = 0; i < tuple.size(); i++) {
      if (keyOnly && !relation.columns().get(i).key()) {
        continue;
      }
      out.append(' ')
          .append(relation.columns().get(i).name())
          .append('=')
          .append(value(tuple.get(i)));
    }
    return out.toString();
  }

  private static String value(ColumnValue v) {
    if (v.isNull()) {
      return Canon.NULL;
    }
    if (v.isUnchangedToast()) {
      return Canon.UNCHANGED;
    }
    return Canon.value(v.text());
  }
}
