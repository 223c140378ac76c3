package io.slotkeeper.internal.source;

import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.Update;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One backfill chunk around its watermarks, as the stream passes it (the watermark method of DBLog
 * and Debezium's incremental snapshots). Pure; owned by the {@link SourceActor}.
 *
 * <p>Every change of the table the stream delivers is noted by key, from the moment the chunk is
 * announced (before its low watermark is written) to its high watermark. The chunk was selected
 * (READ COMMITTED) after the low watermark was committed and before the high one, so for a key the
 * stream changed between the two the chunk's row may be older or newer than the stream's last
 * change; the stream's is the newer, and it has already been delivered. Changes just before the low
 * watermark count too: PostgreSQL makes a transaction visible a moment after its commit record is
 * written (the commit first waits for the WAL flush), so a transaction that commits in the WAL
 * before the low watermark may still be invisible to the select. Such a transaction was running
 * when the chunk was announced, so its xid is at or above {@code xmin}, the oldest transaction
 * running then; changes by older xids were visible to the select and are not noted, and what was
 * noted for the previous chunk by xids at or above {@code xmin} is carried over. That bounds what
 * is held whatever the stream's lag.
 *
 * <p>At the high watermark the chunk's rows go downstream except those keys: a row the stream
 * deleted, inserted or updated in full is left out (for a change the select did see, the stream
 * delivered a row at least as new). One case needs the chunk after all: an update that left a large
 * value unchanged ("unchanged TOAST", not sent) of a row the consumer may never have seen whole.
 * For it the row is delivered as the stream left it, its unsent values taken from the last noted
 * change that carried them, else from the chunk (which then equals them: no noted change touched
 * the value). A TRUNCATE of the table leaves the whole chunk out.
 */
final class BackfillChunk {

  /** The stream deleted the key. */
  private static final ColumnValue[] DELETED = new ColumnValue[0];

  final long id;
  private final String schema;
  private final String table;
  private final List<String> keyColumns;
  private final long xmin;
  private final long lowXid;
  private long highXid = -1;
  private boolean lowSeen;
  private boolean truncated;
  private long truncatedBy;
  private boolean last;

  /** Key → the row as the stream left it (unsent TOAST values as such), or {@link #DELETED}. */
  private final Map<List<String>, ColumnValue[]> changed = new HashMap<>();

  /** Key → the xid of its last noted change (for the carry-over to the next chunk). */
  private final Map<List<String>, Long> lastXid = new HashMap<>();

  private Relation relation;
  private List<TupleData> rows;
  private int fromStream;

  /**
   * @param xmin the oldest transaction (32-bit xid) running when the chunk was announced
   * @param lowXid the low watermark's transaction (32-bit xid)
   */
  BackfillChunk(
      long id, String schema, String table, List<String> keyColumns, long xmin, long lowXid) {
    this.id = id;
    this.schema = schema;
    this.table = table;
    this.keyColumns = List.copyOf(keyColumns);
    this.xmin = xmin;
    this.lowXid = lowXid;
  }

  /** Keeps what {@code previous} noted by transactions this chunk's select may not have seen. */
  void carryOver(BackfillChunk previous) {
    if (previous == null || !previous.schema.equals(schema) || !previous.table.equals(table)) {
      return;
    }
    previous.lastXid.forEach(
        (key, xid) -> {
          if (!precedes(xid, xmin)) {
            changed.put(key, previous.changed.get(key));
            lastXid.put(key, xid);
          }
        });
    if (previous.truncated && !precedes(previous.truncatedBy, xmin)) {
      truncated = true;
      truncatedBy = previous.truncatedBy;
    }
  }

  /** 32-bit transaction ids compared as PostgreSQL compares them (modulo 2^32). */
  static boolean precedes(long a, long b) {
    return (int) (a - b) < 0;
  }

  /** Whether the transaction {@code xid} is this chunk's low watermark. */
  boolean isLow(long xid) {
    return xid == lowXid;
  }

  /** Whether the transaction {@code xid} is one of this chunk's watermarks. */
  boolean isWatermark(long xid) {
    return xid == lowXid || xid == highXid;
  }

  void lowWatermark() {
    lowSeen = true;
  }

  boolean lowSeen() {
    return lowSeen;
  }

  /**
   * The chunk as selected, with the shape its rows are delivered with; {@code highXid} is its high
   * watermark's transaction, {@code last} whether it is the table's last chunk.
   */
  void read(Relation relation, List<TupleData> rows, long highXid, boolean last) {
    this.relation = relation;
    this.rows = rows;
    this.highXid = highXid;
    this.last = last;
  }

  boolean isRead() {
    return rows != null;
  }

  /** The table's last chunk: nothing follows that would need what it noted. */
  boolean last() {
    return last;
  }

  /** The shape the chunk's rows are delivered with (the published columns). */
  Relation relation() {
    return relation;
  }

  /**
   * A change the stream delivered in transaction {@code xid}; ignored for other tables and for
   * transactions older than {@code xmin} (visible to the select).
   */
  void observe(long xid, PgOutputMessage message) {
    if (precedes(xid, xmin)) {
      return;
    }
    if (message instanceof Truncate t) {
      for (Relation r : t.relations()) {
        if (ours(r)) {
          truncated = true;
          truncatedBy = xid;
        }
      }
    } else if (message instanceof Insert i && ours(i.relation())) {
      note(xid, i.relation(), i.newTuple());
    } else if (message instanceof Update u && ours(u.relation())) {
      if (u.oldTuple() != null) {
        List<String> oldKey = key(u.relation(), u.oldTuple());
        if (oldKey != null && !oldKey.equals(key(u.relation(), u.newTuple()))) {
          changed.put(oldKey, DELETED);
          lastXid.put(oldKey, xid);
        }
      }
      note(xid, u.relation(), u.newTuple());
    } else if (message instanceof Delete d && ours(d.relation())) {
      List<String> key = key(d.relation(), d.oldTuple());
      if (key != null) {
        changed.put(key, DELETED);
        lastXid.put(key, xid);
      }
    }
  }

  private void note(long xid, Relation r, TupleData tuple) {
    List<String> key = key(r, tuple);
    if (key == null) {
      return;
    }
    ColumnValue[] now = tuple.values().toArray(new ColumnValue[0]);
    ColumnValue[] before = changed.get(key);
    if (before != null && before != DELETED && before.length == now.length) {
      for (int i = 0; i < now.length; i++) {
        if (now[i].isUnchangedToast()) {
          now[i] = before[i];
        }
      }
    }
    changed.put(key, now);
    lastXid.put(key, xid);
  }

  /** The rows to deliver at the high watermark, in key order (see the class comment). */
  List<TupleData> deliverable() {
    List<TupleData> out = new ArrayList<>(rows.size());
    fromStream = 0;
    if (truncated) {
      fromStream = rows.size();
      return out;
    }
    for (TupleData row : rows) {
      List<String> key = key(relation, row);
      ColumnValue[] stream = key == null ? null : changed.get(key);
      if (stream == null) {
        out.add(row);
        continue;
      }
      fromStream++;
      if (stream == DELETED || stream.length != row.size()) {
        continue;
      }
      boolean unsent = false;
      for (ColumnValue v : stream) {
        unsent |= v.isUnchangedToast();
      }
      if (unsent) {
        ColumnValue[] merged = Arrays.copyOf(stream, stream.length);
        for (int i = 0; i < merged.length; i++) {
          if (merged[i].isUnchangedToast()) {
            merged[i] = row.get(i);
          }
        }
        out.add(new TupleData(Arrays.asList(merged)));
      }
    }
    return out;
  }

  /** Rows of the chunk the stream changed (after {@link #deliverable}). */
  int fromStream() {
    return fromStream;
  }

  /** Delivered at its high watermark; it goes on noting until the next chunk is announced. */
  void delivered() {
    rows = null;
    delivered = true;
  }

  private boolean delivered;

  boolean isDelivered() {
    return delivered;
  }

  private boolean ours(Relation r) {
    return r.namespace().equals(schema) && r.name().equals(table);
  }

  /** The key's values as text, or null when a key column is missing from {@code r}. */
  private List<String> key(Relation r, TupleData tuple) {
    List<String> key = new ArrayList<>(keyColumns.size());
    for (String column : keyColumns) {
      int i = r.columnIndex(column);
      if (i < 0 || i >= tuple.size()) {
        return null;
      }
      ColumnValue v = tuple.get(i);
      if (v.isUnchangedToast()) {
        return null;
      }
      key.add(v.text());
    }
    return key;
  }
}
