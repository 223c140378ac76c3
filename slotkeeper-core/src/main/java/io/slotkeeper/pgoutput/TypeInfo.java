package io.slotkeeper.pgoutput;

/**
 * Type ({@code 'Y'}): names a non-built-in data type used by a following Relation, so a subscriber
 * can map the type oid. {@code xid} is 0 unless inside a streamed transaction block.
 */
public record TypeInfo(long xid, int oid, String namespace, String name)
    implements PgOutputMessage {

  public static final char TAG = 'Y';

  public TypeInfo {
    Checks.xid(xid, "xid");
    Checks.nonNull(namespace, "namespace");
    Checks.nonNull(name, "name");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
