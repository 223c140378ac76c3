package io.slotkeeper.pgoutput;

import java.util.List;

/**
 * Relation ({@code 'R'}): the shape of a table as the publisher will send its rows. The server
 * sends it before the first change of a table in a session and again whenever the definition
 * changes, so a newer Relation for the same oid replaces the older one.
 *
 * <p>{@code oid} is the raw 32-bit value (OIDs are unsigned; very large ones appear negative here).
 * {@code namespace} is empty for {@code pg_catalog}, as pgoutput sends it. {@code replicaIdentity}
 * is the char code of {@code pg_class.relreplident}: {@code 'd'} default, {@code 'n'} nothing,
 * {@code 'f'} full, {@code 'i'} index. {@code xid} is 0 unless the message came inside a streamed
 * transaction block.
 */
public record Relation(
    long xid,
    int oid,
    String namespace,
    String name,
    int replicaIdentity,
    List<RelationColumn> columns)
    implements PgOutputMessage {

  public static final char TAG = 'R';

  public static final int REPLICA_IDENTITY_DEFAULT = 'd';
  public static final int REPLICA_IDENTITY_NOTHING = 'n';
  public static final int REPLICA_IDENTITY_FULL = 'f';
  public static final int REPLICA_IDENTITY_INDEX = 'i';

  public Relation {
    Checks.xid(xid, "xid");
    Checks.nonNull(namespace, "namespace");
    Checks.nonNull(name, "name");
    columns = List.copyOf(columns);
  }

  /**
   * {@code namespace.name}, or just {@code name} when the namespace is empty (pg_catalog).
   * Unquoted.
   */
  public String qualifiedName() {
    return namespace.isEmpty() ? name : namespace + '.' + name;
  }

  /** Position of the column called {@code columnName} (exact, case-sensitive match), or -1. */
  public int columnIndex(String columnName) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(columnName)) {
        return i;
      }
    }
    return -1;
  }

  /** The oid as PostgreSQL prints it (unsigned). */
  public String oidString() {
    return Integer.toUnsignedString(oid);
  }

  @Override
  public char tag() {
    return TAG;
  }
}
