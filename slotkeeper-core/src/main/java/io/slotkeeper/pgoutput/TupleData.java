package io.slotkeeper.pgoutput;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An immutable row image: one {@link ColumnValue} per column of the relation, in relation order.
 *
 * <p>A decoded tuple keeps the message's bytes and makes its values on first use: a consumer that
 * routes, counts or acknowledges changes without reading their values pays no value objects (issue
 * 16's catch-up profile: the values' views were the largest part of decoding). The bytes were
 * checked when the message was decoded, so making the values cannot fail later.
 */
public final class TupleData {

  /** The values; for a decoded tuple null until first used (volatile: any thread may read it). */
  private volatile ColumnValue[] values;

  private final int size;

  // A decoded tuple's source: the kind/length/bytes entries of its columns, checked by the
  // decoder, at data[offset...]; data is the decoder's own copy and never changes. Null otherwise.
  private final byte[] data;
  private final int offset;
  private final Relation relation;
  private final ValueFormat format;

  /** A tuple holding a copy of {@code values}. */
  public TupleData(List<ColumnValue> values) {
    this(values.toArray(new ColumnValue[0]), true);
  }

  public static TupleData of(ColumnValue... values) {
    return new TupleData(values.clone(), true);
  }

  /**
   * A tuple of {@code relation}'s columns whose entries (kind byte, then for text and binary a
   * length and the bytes) start at {@code data[offset]}, already checked by the decoder; takes
   * ownership of {@code data}.
   */
  static TupleData decoded(byte[] data, int offset, Relation relation, ValueFormat format) {
    return new TupleData(data, offset, relation, format);
  }

  private TupleData(byte[] data, int offset, Relation relation, ValueFormat format) {
    this.values = null;
    this.size = relation.columns().size();
    this.data = data;
    this.offset = offset;
    this.relation = relation;
    this.format = format;
  }

  private TupleData(ColumnValue[] values, boolean check) {
    if (check) {
      for (int i = 0; i < values.length; i++) {
        if (values[i] == null) {
          throw new NullPointerException(
              "column value " + i + " is null; use ColumnValue.NULL for SQL NULL");
        }
      }
    }
    this.values = values;
    this.size = values.length;
    this.data = null;
    this.offset = 0;
    this.relation = null;
    this.format = null;
  }

  public int size() {
    return size;
  }

  public ColumnValue get(int index) {
    return array()[index];
  }

  /** An unmodifiable view of the values. */
  public List<ColumnValue> values() {
    return Collections.unmodifiableList(Arrays.asList(array()));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TupleData t && Arrays.equals(array(), t.array());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(array());
  }

  @Override
  public String toString() {
    return Arrays.toString(array());
  }

  private ColumnValue[] array() {
    ColumnValue[] v = values;
    if (v == null) {
      // Two threads may both get here; each makes equal values, and either array is complete
      // before the volatile write publishes it.
      v = viewsOf();
      values = v;
    }
    return v;
  }

  /** One view per column over {@code data}, whose layout the decoder checked. */
  private ColumnValue[] viewsOf() {
    ColumnValue[] views = new ColumnValue[size];
    int p = offset;
    for (int i = 0; i < size; i++) {
      byte kind = data[p++];
      if (kind == 'n') {
        views[i] = ColumnValue.NULL;
      } else if (kind == 'u') {
        views[i] = ColumnValue.UNCHANGED_TOAST;
      } else {
        int n =
            ((data[p] & 0xFF) << 24)
                | ((data[p + 1] & 0xFF) << 16)
                | ((data[p + 2] & 0xFF) << 8)
                | (data[p + 3] & 0xFF);
        p += 4;
        views[i] =
            ColumnValue.view(
                kind == 't' ? ColumnValue.Kind.TEXT : ColumnValue.Kind.BINARY,
                data,
                p,
                n,
                relation.columns().get(i).typeOid(),
                format);
        p += n;
      }
    }
    return views;
  }
}
