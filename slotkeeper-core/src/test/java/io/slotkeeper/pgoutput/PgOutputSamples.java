package io.slotkeeper.pgoutput;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Valid encoded messages of every type, shared by the decoder tests and the fuzz test. Rows refer
 * to {@link #ACCOUNTS} (oid 16384: id int4 key, name text, balance numeric) and {@link #AUDIT} (oid
 * 16390: a single jsonb column).
 */
final class PgOutputSamples {

  static final int ACCOUNTS_OID = 16384;
  static final int AUDIT_OID = 16390;
  static final long STREAM_XID = 4_000_000_001L; // above 2^31: catches signed xid handling
  static final Instant T1 = Instant.parse("2024-05-06T07:08:09.123456Z");
  static final Instant T2 = Instant.parse("2024-05-06T07:08:10.000001Z");

  private PgOutputSamples() {}

  static final Relation ACCOUNTS =
      new Relation(
          0,
          ACCOUNTS_OID,
          "public",
          "accounts",
          'd',
          List.of(
              new RelationColumn("id", 23, -1, true),
              new RelationColumn("name", 25, -1, false),
              new RelationColumn("balance", 1700, 655366, false)));

  static final Relation AUDIT =
      new Relation(
          0,
          AUDIT_OID,
          "audit",
          "événements",
          'f',
          List.of(new RelationColumn("payload", 3802, -1, false)));

  /** Relation message, with a leading xid when {@code xid != 0} (inside a stream block). */
  static byte[] accountsRelation(long xid) {
    PgOutputBytes b = PgOutputBytes.message('R');
    if (xid != 0) {
      b.xid(xid);
    }
    return b.i32(ACCOUNTS_OID)
        .cstring("public")
        .cstring("accounts")
        .u8('d')
        .i16(3)
        .column(true, "id", 23, -1)
        .column(false, "name", 25, -1)
        .column(false, "balance", 1700, 655366)
        .bytes();
  }

  static byte[] auditRelation(long xid) {
    PgOutputBytes b = PgOutputBytes.message('R');
    if (xid != 0) {
      b.xid(xid);
    }
    return b.i32(AUDIT_OID)
        .cstring("audit")
        .cstring("événements")
        .u8('f')
        .i16(1)
        .column(false, "payload", 3802, -1)
        .bytes();
  }

  static PgOutputBytes withXid(char tag, long xid) {
    PgOutputBytes b = PgOutputBytes.message(tag);
    return xid != 0 ? b.xid(xid) : b;
  }

  static byte[] insert(long xid) {
    return withXid('I', xid)
        .i32(ACCOUNTS_OID)
        .u8('N')
        .tuple(3)
        .textColumn("42")
        .textColumn("Zoë 🐘")
        .binaryColumn((byte) 0, (byte) 1, (byte) 0xFF)
        .bytes();
  }

  static byte[] updateWithKey(long xid) {
    return withXid('U', xid)
        .i32(ACCOUNTS_OID)
        .u8('K')
        .tuple(3)
        .textColumn("41")
        .nullColumn()
        .nullColumn()
        .u8('N')
        .tuple(3)
        .textColumn("42")
        .toastColumn()
        .textColumn("10.50")
        .bytes();
  }

  static byte[] updateWithOld(long xid) {
    return withXid('U', xid)
        .i32(AUDIT_OID)
        .u8('O')
        .tuple(1)
        .textColumn("{\"a\":1}")
        .u8('N')
        .tuple(1)
        .textColumn("{\"a\":2}")
        .bytes();
  }

  static byte[] updateNewOnly(long xid) {
    return withXid('U', xid)
        .i32(ACCOUNTS_OID)
        .u8('N')
        .tuple(3)
        .textColumn("42")
        .textColumn("x")
        .nullColumn()
        .bytes();
  }

  static byte[] deleteWithKey(long xid) {
    return withXid('D', xid)
        .i32(ACCOUNTS_OID)
        .u8('K')
        .tuple(3)
        .textColumn("42")
        .nullColumn()
        .nullColumn()
        .bytes();
  }

  static byte[] deleteWithOld(long xid) {
    return withXid('D', xid)
        .i32(AUDIT_OID)
        .u8('O')
        .tuple(1)
        .binaryColumn((byte) 1, (byte) '{', (byte) '}')
        .bytes();
  }

  static byte[] truncate(long xid) {
    return withXid('T', xid).i32(2).u8(3).i32(ACCOUNTS_OID).i32(AUDIT_OID).bytes();
  }

  static byte[] type(long xid) {
    return withXid('Y', xid).i32(90001).cstring("public").cstring("mood").bytes();
  }

  static byte[] message(long xid, boolean transactional) {
    return withXid('M', xid)
        .u8(transactional ? 1 : 0)
        .lsn("0/16B3748")
        .cstring("slotkeeper")
        .i32(5)
        .raw("hello".getBytes(StandardCharsets.UTF_8))
        .bytes();
  }

  static byte[] begin() {
    return PgOutputBytes.message('B').lsn("16/B374D848").time(T1).xid(STREAM_XID).bytes();
  }

  static byte[] commit() {
    return PgOutputBytes.message('C').u8(0).lsn("16/B374D848").lsn("16/B374D878").time(T1).bytes();
  }

  static byte[] origin() {
    return PgOutputBytes.message('O').lsn("1/2").cstring("node_a").bytes();
  }

  static byte[] streamStart(boolean first) {
    return PgOutputBytes.message('S').xid(STREAM_XID).u8(first ? 1 : 0).bytes();
  }

  static byte[] streamStop() {
    return PgOutputBytes.message('E').bytes();
  }

  static byte[] streamCommit() {
    return PgOutputBytes.message('c')
        .xid(STREAM_XID)
        .u8(0)
        .lsn("0/3000000")
        .lsn("0/3000028")
        .time(T2)
        .bytes();
  }

  static byte[] streamAbort(boolean withLsnAndTime) {
    PgOutputBytes b = PgOutputBytes.message('A').xid(STREAM_XID).xid(STREAM_XID + 7);
    if (withLsnAndTime) {
      b.lsn("0/4000000").time(T2);
    }
    return b.bytes();
  }

  static byte[] beginPrepare() {
    return PgOutputBytes.message('b')
        .lsn("0/5000000")
        .lsn("0/5000030")
        .time(T1)
        .xid(777)
        .cstring("gid-1")
        .bytes();
  }

  static byte[] prepare() {
    return PgOutputBytes.message('P')
        .u8(0)
        .lsn("0/5000000")
        .lsn("0/5000030")
        .time(T1)
        .xid(777)
        .cstring("gid-1")
        .bytes();
  }

  static byte[] commitPrepared() {
    return PgOutputBytes.message('K')
        .u8(0)
        .lsn("0/6000000")
        .lsn("0/6000030")
        .time(T2)
        .xid(777)
        .cstring("gid-1")
        .bytes();
  }

  static byte[] rollbackPrepared() {
    return PgOutputBytes.message('r')
        .u8(0)
        .lsn("0/5000030")
        .lsn("0/7000030")
        .time(T1)
        .time(T2)
        .xid(777)
        .cstring("gid-1")
        .bytes();
  }

  static byte[] streamPrepare() {
    return PgOutputBytes.message('p')
        .u8(0)
        .lsn("0/8000000")
        .lsn("0/8000030")
        .time(T2)
        .xid(STREAM_XID)
        .cstring("gid-2")
        .bytes();
  }

  /**
   * Messages valid for a protocol 4 / parallel decoder that knows both relations, outside a stream
   * block.
   */
  static List<byte[]> outsideStream() {
    List<byte[]> all =
        new ArrayList<>(
            List.of(
                begin(),
                commit(),
                origin(),
                accountsRelation(0),
                auditRelation(0),
                type(0),
                insert(0),
                updateWithKey(0),
                updateWithOld(0),
                updateNewOnly(0),
                deleteWithKey(0),
                deleteWithOld(0),
                truncate(0),
                message(0, true),
                message(0, false),
                streamStart(true),
                streamStart(false),
                streamCommit(),
                streamAbort(true),
                beginPrepare(),
                prepare(),
                commitPrepared(),
                rollbackPrepared(),
                streamPrepare()));
    return all;
  }

  /** Messages valid inside a stream block of {@link #STREAM_XID}. */
  static List<byte[]> insideStream() {
    long x = STREAM_XID;
    return List.of(
        accountsRelation(x),
        auditRelation(x),
        type(x),
        insert(x),
        updateWithKey(x),
        updateWithOld(x),
        updateNewOnly(x),
        deleteWithKey(x),
        deleteWithOld(x),
        truncate(x),
        message(x, true),
        origin(),
        streamStop());
  }
}
