package io.slotkeeper.flowtestkit.javadsl;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.OldTupleKind;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import io.slotkeeper.pgoutput.Truncate;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.Update;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds the envelopes a replication source would emit, for testing a flow without a database.
 * Positions follow the rules the engine relies on (docs/architecture.md, "What each LSN means"):
 * each transaction is laid out after the previous one, a change at the start of its record, a
 * message at the END of its record, the Commit at the start of its commit record with {@code
 * Commit.endLsn()} after it, the Begin's final LSN equal to that commit LSN. Offsets come from an
 * {@link OffsetRecorder}, so the test can assert what the flow acknowledged.
 *
 * <pre>{@code
 * EnvelopeBuilder envelopes = EnvelopeBuilder.create();
 * Relation items = EnvelopeBuilder.relation("public", "items", "id", "name");
 * List<ChangeEnvelope> tx = envelopes.transaction(751).insert(items, "1", "apple").commit();
 * ... run the flow over tx ...
 * assertThat(envelopes.recorder().acknowledged()).containsExactly(tx.get(tx.size() - 1).committableOffset().lsn());
 * }</pre>
 *
 * Not thread-safe: build on the test's thread.
 */
public final class EnvelopeBuilder {
  /** Bytes per change or message record, and per commit record: any positive sizes would do. */
  static final long RECORD = 0x40;

  static final long COMMIT_RECORD = 0x20;

  private final OffsetRecorder recorder;
  private long position = 0x1000000;
  private Instant commitTime = Instant.parse("2025-01-01T00:00:00Z");

  private EnvelopeBuilder(OffsetRecorder recorder) {
    this.recorder = Objects.requireNonNull(recorder);
  }

  /** With a recorder of its own ({@link #recorder()}), starting at 0/1000000. */
  public static EnvelopeBuilder create() {
    return new EnvelopeBuilder(OffsetRecorder.create());
  }

  public static EnvelopeBuilder create(OffsetRecorder recorder) {
    return new EnvelopeBuilder(recorder);
  }

  /** A relation whose columns are text, the first one the key (replica identity default). */
  public static Relation relation(String schema, String table, String... columns) {
    List<RelationColumn> cols = new ArrayList<>();
    for (int i = 0; i < columns.length; i++) {
      cols.add(new RelationColumn(columns[i], 25, -1, i == 0));
    }
    return new Relation(
        0,
        Math.abs((schema + "." + table).hashCode() % 100_000) + 16384,
        schema,
        table,
        Relation.REPLICA_IDENTITY_DEFAULT,
        cols);
  }

  /** A tuple of text values; null for SQL NULL. */
  public static TupleData row(String... values) {
    ColumnValue[] cols = new ColumnValue[values.length];
    for (int i = 0; i < values.length; i++) {
      cols[i] = values[i] == null ? ColumnValue.NULL : ColumnValue.text(values[i]);
    }
    return TupleData.of(cols);
  }

  public OffsetRecorder recorder() {
    return recorder;
  }

  /** Where the next transaction or standalone message starts. */
  public Lsn position() {
    return Lsn.of(position);
  }

  public EnvelopeBuilder startingAt(Lsn lsn) {
    this.position = lsn.value();
    return this;
  }

  /** The commit time of what is built next (and the send time of standalone messages). */
  public EnvelopeBuilder withCommitTime(Instant time) {
    this.commitTime = Objects.requireNonNull(time);
    return this;
  }

  /**
   * Starts a transaction with id {@code xid}; {@link TransactionBuilder#commit()} returns its
   * envelopes.
   */
  public TransactionBuilder transaction(long xid) {
    return new TransactionBuilder(xid);
  }

  /**
   * A message sent outside any transaction ({@code pg_logical_emit_message(false, ...)}): a unit of
   * its own.
   */
  public ChangeEnvelope message(String prefix, String content) {
    long end = position + RECORD;
    position = end;
    LogicalMessage m =
        new LogicalMessage(0, false, Lsn.of(end), prefix, content.getBytes(StandardCharsets.UTF_8));
    return envelope(m, Lsn.of(end), 0, Lsn.of(end), commitTime);
  }

  /** The element a source emits before anything from a re-created slot. */
  public ChangeEnvelope resyncRequired(
      String slot, Lsn lastConfirmed, Lsn newSlotStart, String reason) {
    return ChangeEnvelope.resyncRequired(
        new ResyncRequired(slot, lastConfirmed, newSlotStart, reason),
        commitTime,
        recorder.offset(newSlotStart, false));
  }

  /**
   * One envelope exactly as given, for tests that need particular values. Its offset is a unit end
   * for a Commit (at {@code Commit.endLsn()}) and for a non-transactional message (at its {@code
   * lsn}), as the engine's are; otherwise it is at {@code lsn} and acknowledges nothing.
   */
  public ChangeEnvelope envelope(
      PgOutputMessage message, Lsn lsn, long xid, Lsn commitLsn, Instant commitTime) {
    boolean unitEnd;
    Lsn offsetLsn;
    if (message instanceof Commit c) {
      unitEnd = true;
      offsetLsn = c.endLsn();
    } else if (message instanceof LogicalMessage m && !m.transactional()) {
      unitEnd = true;
      offsetLsn = m.lsn();
    } else {
      unitEnd = false;
      offsetLsn = lsn;
    }
    return ChangeEnvelope.of(
        message, lsn, xid, commitLsn, commitTime, recorder.offset(offsetLsn, unitEnd));
  }

  /**
   * The changes of one transaction, laid out from the builder's position when {@link #commit()} is
   * called. The pgoutput records carry xid 0, as pgoutput sends them outside streamed transactions;
   * the envelopes carry the transaction's xid.
   */
  public final class TransactionBuilder {
    private final long xid;
    private final List<PgOutputMessage> changes = new ArrayList<>();

    private TransactionBuilder(long xid) {
      this.xid = xid;
    }

    public TransactionBuilder insert(Relation relation, String... values) {
      return change(new Insert(0, relation, row(values)));
    }

    public TransactionBuilder update(Relation relation, String... newValues) {
      return change(new Update(0, relation, null, OldTupleKind.NONE, row(newValues)));
    }

    public TransactionBuilder delete(Relation relation, String... keyValues) {
      return change(new Delete(0, relation, OldTupleKind.KEY, row(keyValues)));
    }

    public TransactionBuilder truncate(Relation... relations) {
      return change(new Truncate(0, List.of(relations), false, false));
    }

    /** A transactional message ({@code pg_logical_emit_message(true, ...)}). */
    public TransactionBuilder message(String prefix, String content) {
      // Its LSN (the end of its record) is set when the transaction is laid out.
      return change(
          new LogicalMessage(
              0, true, Lsn.INVALID, prefix, content.getBytes(StandardCharsets.UTF_8)));
    }

    /** Any Insert, Update, Delete, Truncate or transactional LogicalMessage. */
    public TransactionBuilder change(PgOutputMessage change) {
      boolean fits =
          change instanceof Insert
              || change instanceof Update
              || change instanceof Delete
              || change instanceof Truncate
              || (change instanceof LogicalMessage m && m.transactional());
      if (!fits) {
        throw new IllegalArgumentException("not a change inside a transaction: " + change);
      }
      changes.add(change);
      return this;
    }

    /** Begin, the changes, Commit: the envelopes of the whole transaction. Advances the builder. */
    public List<ChangeEnvelope> commit() {
      long start = position;
      Lsn commitLsn = Lsn.of(start + changes.size() * RECORD);
      Lsn endLsn = Lsn.of(commitLsn.value() + COMMIT_RECORD);
      List<ChangeEnvelope> out = new ArrayList<>(changes.size() + 2);
      out.add(
          envelope(
              new Begin(commitLsn, commitTime, xid), Lsn.of(start), xid, commitLsn, commitTime));
      long record = start;
      for (PgOutputMessage change : changes) {
        Lsn lsn = Lsn.of(record);
        if (change instanceof LogicalMessage m) {
          lsn = Lsn.of(record + RECORD);
          change = new LogicalMessage(m.xid(), true, lsn, m.prefix(), m.content());
        }
        out.add(envelope(change, lsn, xid, commitLsn, commitTime));
        record += RECORD;
      }
      out.add(
          envelope(
              new Commit(0, commitLsn, endLsn, commitTime), commitLsn, xid, commitLsn, commitTime));
      position = endLsn.value();
      return out;
    }
  }
}
