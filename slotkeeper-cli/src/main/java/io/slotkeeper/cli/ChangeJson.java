package io.slotkeeper.cli;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.CommitPrepared;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.OldTupleKind;
import io.slotkeeper.pgoutput.Prepare;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import io.slotkeeper.pgoutput.RollbackPrepared;
import io.slotkeeper.pgoutput.StreamAbort;
import io.slotkeeper.pgoutput.StreamCommit;
import io.slotkeeper.pgoutput.StreamPrepare;
import io.slotkeeper.pgoutput.StreamStart;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.Update;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One JSON object per change, the format of {@code slotkeeper stream}:
 *
 * <pre>
 * {"op":"insert","lsn":"0/1A2B3C8","commit_lsn":"0/1A2B4F0","xid":751,"commit_time":"2025-05-01T12:00:00.123456Z",
 *  "schema":"public","table":"items","new":{"id":"1","name":"apple","note":null}}
 * </pre>
 *
 * <ul>
 *   <li>{@code op}: insert, update, delete, truncate, message; with --with-tx also begin and
 *       commit.
 *   <li>Values are PostgreSQL's text output of the column (what psql shows) as JSON strings, SQL
 *       NULL as JSON null: a consumer never has to guess how a numeric or timestamp was rounded.
 *       With --binary the same strings (binary values printed as the server prints them); only a
 *       value of a type without a binary codec is an object {@code {"binary_base64": "...",
 *       "type_oid": N}} holding its send format.
 *   <li>{@code new}: the row after an insert or update. Unchanged TOASTed columns (large values the
 *       server did not resend) are left out of it and named in {@code unchanged_toast}.
 *   <li>{@code old}: the row before an update or delete, when the server sends it: only the
 *       replica-identity key columns under the default identity ({@code "old_kind":"key"}), the
 *       whole row under REPLICA IDENTITY FULL ({@code "old_kind":"full"}). Absent for updates that
 *       kept the key.
 *   <li>truncate: {@code tables} lists {schema, table} of every truncated table, plus {@code
 *       cascade} and {@code restart_identity}.
 *   <li>message (pg_logical_emit_message): {@code transactional}, {@code prefix}, {@code content}
 *       and {@code content_encoding}: "utf8" when the content is valid UTF-8 (it is then the text
 *       itself), else "base64". A message sent outside a transaction has {@code xid} null.
 *   <li>resync_required: not a change but a gap (the slot was re-created, e.g. after invalidation
 *       with on-invalidated = recreate, or a temporary slot lost with its connection): {@code
 *       slot}, {@code last_confirmed_lsn} (nothing after it is known to be delivered), {@code
 *       new_start_lsn} (where the new slot starts) and {@code reason}. Changes in between are lost:
 *       re-read the tables.
 *   <li>snapshot (with --snapshot initial): a row of the initial snapshot, before any change:
 *       {@code lsn} (the slot's consistent point, where the changes start), {@code schema}, {@code
 *       table} and {@code new}, as for an insert. After a resync_required, the snapshot starts
 *       again: discard the snapshot rows received before it.
 *   <li>{@code origin}: on every line of a transaction written with a replication origin (replayed
 *       by logical replication): {@code {"name": ..., "lsn": ...}}, the origin's name and the
 *       transaction's LSN on its origin node ("0/0" for a streamed transaction: the server does not
 *       send it). Absent otherwise.
 *   <li>With --deliver-in-progress (and --streaming on or parallel), a streamed transaction is
 *       written as it arrives: {@code stream_start} ({@code xid}, {@code first_segment}: true for
 *       its first block, also after a reconnect, when the consumer drops what it holds for that
 *       xid), its changes with {@code "in_progress":true} and {@code commit_lsn} and {@code
 *       commit_time} null, {@code stream_stop}, more blocks, then {@code stream_commit} ({@code
 *       commit_lsn}, {@code end_lsn}, {@code commit_time}; the only line acknowledged) or {@code
 *       stream_abort} ({@code xid}, {@code sub_xid}: when it differs from {@code xid}, only that
 *       subtransaction's changes, from its first one on, are undone). With --two-phase a streamed
 *       transaction that is prepared ends with {@code stream_prepare} ({@code gid}, {@code
 *       end_lsn}: the end of the PREPARE record; acknowledged like {@code prepare}).
 *   <li>With --two-phase (PostgreSQL 15+), a prepared transaction is written when it is prepared:
 *       its changes (their {@code commit_lsn} the start of the PREPARE record), then {@code
 *       prepare} ({@code gid}, {@code end_lsn}: the end of the PREPARE record); its outcome comes
 *       later as {@code commit_prepared} ({@code gid}, {@code end_lsn}) or {@code
 *       rollback_prepared} ({@code gid}, {@code prepare_end_lsn}; its {@code lsn} is the end of the
 *       rollback record). With --with-tx also {@code begin_prepare} ({@code gid}). After a restart
 *       a {@code commit_prepared} may come without its {@code prepare} (written before), a {@code
 *       prepare} of a transaction prepared before two-phase decoding began at the slot may come
 *       again with its {@code commit_prepared}, and a {@code rollback_prepared} may name a GID
 *       never prepared here: match by {@code gid}.
 *   <li>LSNs are PostgreSQL's text form; {@code commit_time} is ISO-8601 in UTC.
 * </ul>
 */
final class ChangeJson {
  private ChangeJson() {}

  /**
   * Appends the line for {@code e} (with its newline) and returns true, or returns false when the
   * envelope has no line (BEGIN and COMMIT without --with-tx).
   */
  static boolean append(LineBytes sb, ChangeEnvelope e, boolean withTx) {
    switch (e.kind()) {
      case BEGIN -> {
        if (!withTx) {
          return false;
        }
        head(sb, "begin", e);
      }
      case COMMIT -> {
        if (!withTx) {
          return false;
        }
        head(sb, "commit", e);
        sb.append(",\"end_lsn\":\"").append(((Commit) e.message()).endLsn()).append('"');
      }
      case INSERT -> {
        Insert m = (Insert) e.message();
        head(sb, "insert", e);
        table(sb, m.relation());
        newTuple(sb, m.relation(), m.newTuple());
      }
      case UPDATE -> {
        Update m = (Update) e.message();
        head(sb, "update", e);
        table(sb, m.relation());
        newTuple(sb, m.relation(), m.newTuple());
        if (m.oldKind() != OldTupleKind.NONE) {
          oldTuple(sb, m.relation(), m.oldKind(), m.oldTuple());
        }
      }
      case DELETE -> {
        Delete m = (Delete) e.message();
        head(sb, "delete", e);
        table(sb, m.relation());
        oldTuple(sb, m.relation(), m.oldKind(), m.oldTuple());
      }
      case TRUNCATE -> {
        Truncate m = (Truncate) e.message();
        head(sb, "truncate", e);
        sb.append(",\"tables\":[");
        for (int i = 0; i < m.relations().size(); i++) {
          Relation r = m.relations().get(i);
          sb.append(i == 0 ? "" : ",").append("{\"schema\":");
          sb.jsonString(r.namespace());
          sb.append(",\"table\":");
          sb.jsonString(r.name());
          sb.append('}');
        }
        sb.append("],\"cascade\":")
            .append(m.cascade())
            .append(",\"restart_identity\":")
            .append(m.restartIdentity());
      }
      case MESSAGE -> {
        LogicalMessage m = (LogicalMessage) e.message();
        head(sb, "message", e);
        sb.append(",\"transactional\":").append(m.transactional()).append(",\"prefix\":");
        sb.jsonString(m.prefix());
        String text = utf8OrNull(m.contentBuffer());
        sb.append(",\"content\":");
        sb.jsonString(text != null ? text : Base64.getEncoder().encodeToString(m.content()));
        sb.append(",\"content_encoding\":\"").append(text != null ? "utf8" : "base64").append('"');
      }
      case STREAM_START -> {
        head(sb, "stream_start", e);
        sb.append(",\"first_segment\":").append(((StreamStart) e.message()).firstSegment());
      }
      case STREAM_STOP -> head(sb, "stream_stop", e);
      case STREAM_COMMIT -> {
        head(sb, "stream_commit", e);
        sb.append(",\"end_lsn\":\"").append(((StreamCommit) e.message()).endLsn()).append('"');
      }
      case STREAM_PREPARE -> {
        head(sb, "stream_prepare", e);
        gid(sb, e);
        sb.append(",\"end_lsn\":\"").append(((StreamPrepare) e.message()).endLsn()).append('"');
      }
      case STREAM_ABORT -> {
        StreamAbort a = (StreamAbort) e.message();
        head(sb, "stream_abort", e);
        sb.append(",\"sub_xid\":").append(a.subXid());
      }
      case BEGIN_PREPARE -> {
        if (!withTx) {
          return false;
        }
        head(sb, "begin_prepare", e);
        gid(sb, e);
      }
      case PREPARE -> {
        head(sb, "prepare", e);
        gid(sb, e);
        sb.append(",\"end_lsn\":\"").append(((Prepare) e.message()).endLsn()).append('"');
      }
      case COMMIT_PREPARED -> {
        head(sb, "commit_prepared", e);
        gid(sb, e);
        sb.append(",\"end_lsn\":\"").append(((CommitPrepared) e.message()).endLsn()).append('"');
      }
      case ROLLBACK_PREPARED -> {
        head(sb, "rollback_prepared", e);
        gid(sb, e);
        sb.append(",\"prepare_end_lsn\":\"")
            .append(((RollbackPrepared) e.message()).prepareEndLsn())
            .append('"');
      }
      case RESYNC_REQUIRED -> resync(sb, e.resync().orElseThrow());
      case SNAPSHOT -> {
        // A row as it stood at the slot's consistent point: no transaction, so no xid or time.
        Relation r = e.relation().orElseThrow();
        sb.append("{\"op\":\"snapshot\",\"lsn\":\"").append(e.lsn()).append('"');
        table(sb, r);
        newTuple(sb, r, e.row().orElseThrow());
      }
    }
    sb.append("}\n");
    return true;
  }

  /**
   * Not a change but a gap, so none of the change fields: which slot, from where to where, and why.
   */
  private static void resync(LineBytes sb, ResyncRequired r) {
    sb.append("{\"op\":\"resync_required\",\"slot\":");
    sb.jsonString(r.slotName());
    sb.append(",\"last_confirmed_lsn\":\"")
        .append(r.lastConfirmedLsn())
        .append("\",\"new_start_lsn\":\"")
        .append(r.newSlotStart())
        .append("\",\"reason\":");
    sb.jsonString(r.reason());
  }

  private static void head(LineBytes sb, String op, ChangeEnvelope e) {
    sb.append("{\"op\":\"").append(op).append("\",\"lsn\":\"");
    lsn(sb, e.lsn());
    sb.append('"');
    // An element of a transaction still in progress (--deliver-in-progress) has no commit yet.
    if (e.commitLsn().isValid()) {
      sb.append(",\"commit_lsn\":\"");
      lsn(sb, e.commitLsn());
      sb.append('"');
    } else {
      sb.append(",\"commit_lsn\":null");
    }
    if (e.inProgress()) {
      sb.append(",\"in_progress\":true");
    }
    sb.append(",\"xid\":");
    // A message sent outside any transaction has no xid (the envelope says 0).
    if (e.xid() == 0) {
      sb.append("null");
    } else {
      sb.append(e.xid());
    }
    sb.append(",\"commit_time\":");
    if (e.commitTime() == null) {
      sb.append("null");
    } else {
      sb.append('"').append(COMMIT_TIME.get().text(e.commitTime())).append('"');
    }
    // Only for a transaction written with a replication origin, so other lines stay as they were.
    e.origin()
        .ifPresent(
            o -> {
              sb.append(",\"origin\":{\"name\":");
              sb.jsonString(o.name());
              sb.append(",\"lsn\":\"").append(o.commitLsn()).append("\"}");
            });
  }

  /**
   * The lines of a transaction share its commit time: formatted once per transaction, not per line
   * (Instant.toString was a tenth of the program's CPU on a catch-up). One per writing thread.
   */
  private static final ThreadLocal<TimeText> COMMIT_TIME = ThreadLocal.withInitial(TimeText::new);

  private static final class TimeText {
    private Instant last;
    private String text;

    String text(Instant t) {
      if (!t.equals(last)) {
        last = t;
        text = t.toString();
      }
      return text;
    }
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** {@code lsn} as {@link Lsn#toString()} writes it (PostgreSQL's form), without a String. */
  static void lsn(LineBytes sb, Lsn lsn) {
    hex(sb, lsn.value() >>> 32);
    sb.append('/');
    hex(sb, lsn.value() & 0xFFFF_FFFFL);
  }

  private static void hex(LineBytes sb, long v) {
    int shift = 28;
    while (shift > 0 && ((v >>> shift) & 0xF) == 0) {
      shift -= 4;
    }
    for (; shift >= 0; shift -= 4) {
      sb.append(HEX[(int) ((v >>> shift) & 0xF)]);
    }
  }

  private static void gid(LineBytes sb, ChangeEnvelope e) {
    sb.append(",\"gid\":");
    sb.jsonString(e.gid().orElseThrow());
  }

  private static void table(LineBytes sb, Relation r) {
    sb.append(",\"schema\":");
    sb.jsonString(r.namespace());
    sb.append(",\"table\":");
    sb.jsonString(r.name());
  }

  private static void newTuple(LineBytes sb, Relation r, TupleData t) {
    sb.append(",\"new\":{");
    List<String> unchanged = null;
    boolean first = true;
    for (int i = 0; i < t.size(); i++) {
      ColumnValue v = t.get(i);
      String name = columnName(r, i);
      if (v.isUnchangedToast()) {
        if (unchanged == null) {
          unchanged = new ArrayList<>(2);
        }
        unchanged.add(name);
        continue;
      }
      first = column(sb, name, v, first);
    }
    sb.append('}');
    if (unchanged != null) {
      sb.append(",\"unchanged_toast\":");
      sb.append('[');
      for (int k = 0; k < unchanged.size(); k++) {
        if (k > 0) {
          sb.append(',');
        }
        sb.jsonString(unchanged.get(k));
      }
      sb.append(']');
    }
  }

  private static void oldTuple(LineBytes sb, Relation r, OldTupleKind kind, TupleData t) {
    sb.append(",\"old_kind\":\"")
        .append(kind == OldTupleKind.FULL ? "full" : "key")
        .append("\",\"old\":{");
    boolean first = true;
    for (int i = 0; i < t.size(); i++) {
      // A KEY image carries nulls for every non-key column; they are not the row's values.
      if (kind == OldTupleKind.KEY && i < r.columns().size() && !r.columns().get(i).key()) {
        continue;
      }
      ColumnValue v = t.get(i);
      if (v.isUnchangedToast()) {
        continue;
      }
      first = column(sb, columnName(r, i), v, first);
    }
    sb.append('}');
  }

  private static boolean column(LineBytes sb, String name, ColumnValue v, boolean first) {
    if (!first) {
      sb.append(',');
    }
    sb.jsonString(name);
    sb.append(':');
    if (v.isNull()) {
      sb.append("null");
    } else if (v.hasCodec()) {
      // TEXT, or BINARY printed exactly as the server's output function: the same line either way.
      sb.jsonText(v);
    } else {
      // --binary and a type without a codec: never lose the value, and never pass it off as text.
      sb.append("{\"binary_base64\":");
      sb.jsonString(Base64.getEncoder().encodeToString(v.bytes()));
      sb.append(",\"type_oid\":").append(Integer.toUnsignedString(v.typeOid())).append('}');
    }
    return false;
  }

  private static String columnName(Relation r, int i) {
    List<RelationColumn> cols = r.columns();
    return i < cols.size() ? cols.get(i).name() : "column_" + (i + 1);
  }

  private static String utf8OrNull(ByteBuffer bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
