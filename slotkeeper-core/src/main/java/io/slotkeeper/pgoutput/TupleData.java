package io.slotkeeper.pgoutput;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An immutable row image: one {@link ColumnValue} per column of the relation, in relation order.
 */
public final class TupleData {

  private final ColumnValue[] values;

  /** A tuple holding a copy of {@code values}. */
  public TupleData(List<ColumnValue> values) {
    this(values.toArray(new ColumnValue[0]), true);
  }

  public static TupleData of(ColumnValue... values) {
    return new TupleData(values.clone(), true);
  }

  /** Takes ownership of {@code values} without copying; for the decoder. */
  static TupleData wrap(ColumnValue[] values) {
    return new TupleData(values, false);
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
  }

  public int size() {
    return values.length;
  }

  public ColumnValue get(int index) {
    return values[index];
  }

  /** An unmodifiable view of the values. */
  public List<ColumnValue> values() {
    return Collections.unmodifiableList(Arrays.asList(values));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TupleData t && Arrays.equals(values, t.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return Arrays.toString(values);
  }
}
