package io.slotkeeper.internal.connection;

import io.slotkeeper.StreamSettings;
import io.slotkeeper.pgoutput.ValueFormat;
import java.util.List;

/**
 * Whether a connection asks pgoutput for binary values. {@code binary = auto} (the default) is
 * decided here at every connect, before START_REPLICATION: binary was measured faster (less
 * walsender CPU per change), but it is exact only for types with a codec in this engine, pgoutput's
 * option is one switch for every column, and it needs PostgreSQL 14. So auto takes binary only when
 * every published column's type has a codec with this connection's {@link ValueFormat} (which holds
 * the catalog's enums, domains and ranges and lc_monetary), and text otherwise.
 */
final class BinaryDecision {
  private BinaryDecision() {}

  /** One published column: its table ({@code schema.table}), name and type. */
  record Column(String table, String name, int typeOid, String typeName) {}

  /** The format a connection uses, with the reason to log. */
  record Choice(boolean binary, String reason) {
    @Override
    public String toString() {
      return (binary ? "binary on: " : "binary off: ") + reason;
    }
  }

  /**
   * The choice for {@code mode} on a server of {@code majorVersion} publishing {@code columns};
   * {@code format} is read only for AUTO on 14+ (null otherwise).
   */
  static Choice decide(
      StreamSettings.Binary mode, int majorVersion, List<Column> columns, ValueFormat format) {
    switch (mode) {
      case ON:
        return new Choice(true, "binary = on");
      case OFF:
        return new Choice(false, "binary = off");
      default:
        break;
    }
    if (majorVersion < 14) {
      return new Choice(false, "PostgreSQL " + majorVersion + " has no binary option (14+)");
    }
    Column without = firstWithoutCodec(columns, format);
    if (without != null) {
      return new Choice(false, describe(without) + " without a binary codec");
    }
    return new Choice(
        true, "every type of the " + columns.size() + " published columns has a binary codec");
  }

  /** The first of {@code columns} whose type has no codec with {@code format}, or null. */
  static Column firstWithoutCodec(List<Column> columns, ValueFormat format) {
    for (Column c : columns) {
      if (!format.hasBinaryCodec(c.typeOid())) {
        return c;
      }
    }
    return null;
  }

  static String describe(Column c) {
    return c.table() + "." + c.name() + " has type " + c.typeName() + " (oid " + c.typeOid() + ")";
  }
}
