package io.slotkeeper.pgoutput;

import io.slotkeeper.Lsn;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Test-only pgoutput encoder: writes fields in wire order so tests state each message's exact
 * bytes. Deliberately dumb (no knowledge of message layouts) so it cannot share a bug with the
 * decoder.
 */
final class PgOutputBytes {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static PgOutputBytes message(char tag) {
    return new PgOutputBytes().u8(tag);
  }

  static PgOutputBytes empty() {
    return new PgOutputBytes();
  }

  PgOutputBytes u8(int b) {
    out.write(b);
    return this;
  }

  PgOutputBytes i16(int v) {
    return u8(v >>> 8).u8(v);
  }

  PgOutputBytes i32(int v) {
    return u8(v >>> 24).u8(v >>> 16).u8(v >>> 8).u8(v);
  }

  PgOutputBytes i64(long v) {
    return i32((int) (v >>> 32)).i32((int) v);
  }

  /** An unsigned 32-bit transaction id. */
  PgOutputBytes xid(long xid) {
    return i32((int) xid);
  }

  PgOutputBytes lsn(String lsn) {
    return i64(Lsn.parse(lsn).value());
  }

  PgOutputBytes time(Instant t) {
    return i64(PgTimestamps.toPgMicros(t));
  }

  PgOutputBytes raw(byte... bytes) {
    out.writeBytes(bytes);
    return this;
  }

  /** UTF-8 bytes followed by NUL. */
  PgOutputBytes cstring(String s) {
    return raw(s.getBytes(StandardCharsets.UTF_8)).u8(0);
  }

  // ---- TupleData: tuple(n) then exactly n column writers ----

  PgOutputBytes tuple(int columns) {
    return i16(columns);
  }

  PgOutputBytes nullColumn() {
    return u8('n');
  }

  PgOutputBytes toastColumn() {
    return u8('u');
  }

  PgOutputBytes textColumn(String value) {
    byte[] b = value.getBytes(StandardCharsets.UTF_8);
    return u8('t').i32(b.length).raw(b);
  }

  PgOutputBytes binaryColumn(byte... value) {
    return u8('b').i32(value.length).raw(value);
  }

  /** A Relation column: flags, name, type oid, typmod. */
  PgOutputBytes column(boolean key, String name, int typeOid, int typmod) {
    return u8(key ? 1 : 0).cstring(name).i32(typeOid).i32(typmod);
  }

  int size() {
    return out.size();
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  ByteBuffer buffer() {
    return ByteBuffer.wrap(bytes());
  }
}
