package io.slotkeeper.bench;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes pgoutput protocol-1 messages the way a PostgreSQL walsender lays them out, so the decoder
 * micro-benchmark can run without a server. Only what the benchmark needs: Relation, Begin, Commit,
 * Insert, Update (new tuple only: replica identity default, key unchanged) and Delete (key tuple).
 *
 * <p>Values are given as the server's text output ({@code null} for SQL NULL) because that is what
 * pgoutput sends unless a subscriber asks for binary.
 */
public final class PgOutputEncoder {

  /**
   * One column of a relation: name, type oid, and whether it is part of the replica identity key.
   */
  public record Column(String name, int typeOid, boolean key) {}

  private PgOutputEncoder() {}

  public static byte[] relation(int oid, String namespace, String name, List<Column> columns) {
    Out out = new Out();
    out.u8('R').i32(oid).cstring(namespace).cstring(name).u8('d').i16(columns.size());
    for (Column c : columns) {
      out.u8(c.key() ? 1 : 0).cstring(c.name()).i32(c.typeOid()).i32(-1);
    }
    return out.bytes();
  }

  public static byte[] begin(long finalLsn, long commitMicros, int xid) {
    return new Out().u8('B').i64(finalLsn).i64(commitMicros).i32(xid).bytes();
  }

  public static byte[] commit(long commitLsn, long endLsn, long commitMicros) {
    return new Out().u8('C').u8(0).i64(commitLsn).i64(endLsn).i64(commitMicros).bytes();
  }

  public static byte[] insert(int oid, String[] values) {
    Out out = new Out().u8('I').i32(oid).u8('N');
    tuple(out, values);
    return out.bytes();
  }

  public static byte[] update(int oid, String[] newValues) {
    Out out = new Out().u8('U').i32(oid).u8('N');
    tuple(out, newValues);
    return out.bytes();
  }

  /** A delete under replica identity default: the key columns' values, every other column NULL. */
  public static byte[] delete(int oid, List<Column> columns, String[] values) {
    String[] key = new String[values.length];
    for (int i = 0; i < values.length; i++) {
      key[i] = columns.get(i).key() ? values[i] : null;
    }
    Out out = new Out().u8('D').i32(oid).u8('K');
    tuple(out, key);
    return out.bytes();
  }

  /**
   * Wraps a pgoutput payload in an XLogData CopyData frame ('w', WAL start, WAL end, send time), as
   * the connection reads it from the socket.
   */
  public static byte[] xlogData(long walStart, long sendMicros, byte[] payload) {
    return ByteBuffer.allocate(25 + payload.length)
        .put((byte) 'w')
        .putLong(walStart)
        .putLong(walStart)
        .putLong(sendMicros)
        .put(payload)
        .array();
  }

  private static void tuple(Out out, String[] values) {
    out.i16(values.length);
    for (String v : values) {
      if (v == null) {
        out.u8('n');
      } else {
        byte[] b = v.getBytes(StandardCharsets.UTF_8);
        out.u8('t').i32(b.length).raw(b);
      }
    }
  }

  /** Big-endian writer, as everything on the replication wire is. */
  private static final class Out {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(64);

    Out u8(int v) {
      buf.write(v);
      return this;
    }

    Out i16(int v) {
      buf.write(v >>> 8);
      buf.write(v);
      return this;
    }

    Out i32(int v) {
      i16(v >>> 16);
      return i16(v);
    }

    Out i64(long v) {
      i32((int) (v >>> 32));
      return i32((int) v);
    }

    Out raw(byte[] b) {
      buf.write(b, 0, b.length);
      return this;
    }

    Out cstring(String s) {
      raw(s.getBytes(StandardCharsets.UTF_8));
      return u8(0);
    }

    byte[] bytes() {
      return buf.toByteArray();
    }
  }
}
