package io.slotkeeper.internal.wire;

import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import io.slotkeeper.pgoutput.BigEndian;
import io.slotkeeper.pgoutput.PgOutputDecodeException;
import io.slotkeeper.pgoutput.PgTimestamps;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * Encoding and decoding of the streaming-replication CopyData frames (XLogData, primary keepalive,
 * standby status update). Pure functions; all integers are big-endian as on the wire.
 */
@InternalApi
public final class ReplicationFrames {

  /** 'w' + WAL start + WAL end + send time. */
  public static final int XLOG_DATA_HEADER_LENGTH = 1 + 8 + 8 + 8;

  /** 'k' + WAL end + send time + reply flag. */
  public static final int KEEPALIVE_LENGTH = 1 + 8 + 8 + 1;

  /** 'r' + written + flushed + applied + client time + reply flag. */
  public static final int STANDBY_STATUS_UPDATE_LENGTH = 1 + 8 + 8 + 8 + 8 + 1;

  private ReplicationFrames() {}

  /** Decodes a frame; the XLogData payload views {@code copyData} without copying it. */
  public static ReplicationFrame decode(byte[] copyData) {
    if (copyData == null) {
      throw new PgOutputDecodeException(
          "malformed replication frame at byte 0: frame is null", '?', 0);
    }
    return decode(ByteBuffer.wrap(copyData));
  }

  /**
   * Decodes the frame in {@code frame}'s remaining bytes without moving its position or changing
   * its byte order; numbers are read big-endian whatever that order is. The XLogData payload is a
   * read-only big-endian view of the same memory.
   *
   * @throws PgOutputDecodeException for an empty, truncated, over-long or unknown frame
   */
  public static ReplicationFrame decode(ByteBuffer frame) {
    if (frame == null) {
      throw new PgOutputDecodeException(
          "malformed replication frame at byte 0: frame is null", '?', 0);
    }
    ByteBuffer copyData = BigEndian.view(frame);
    int base = copyData.position();
    int length = copyData.remaining();
    if (length == 0) {
      throw new PgOutputDecodeException(
          "malformed replication frame at byte 0: empty frame", '?', 0);
    }
    char tag = (char) (copyData.get(base) & 0xFF);
    switch (tag) {
      case XLogData.TAG:
        {
          requireLength(tag, "XLogData", length, XLOG_DATA_HEADER_LENGTH, false);
          Lsn start = Lsn.of(copyData.getLong(base + 1));
          Lsn end = Lsn.of(copyData.getLong(base + 9));
          Instant sent = PgTimestamps.fromPgMicros(copyData.getLong(base + 17));
          ByteBuffer payload = copyData.duplicate();
          payload.position(base + XLOG_DATA_HEADER_LENGTH);
          return new XLogData(start, end, sent, payload);
        }
      case PrimaryKeepalive.TAG:
        {
          requireLength(tag, "primary keepalive", length, KEEPALIVE_LENGTH, true);
          Lsn end = Lsn.of(copyData.getLong(base + 1));
          Instant sent = PgTimestamps.fromPgMicros(copyData.getLong(base + 9));
          return new PrimaryKeepalive(end, sent, copyData.get(base + 17) != 0);
        }
      default:
        throw new PgOutputDecodeException(
            "malformed replication frame at byte 0: unknown frame type "
                + describe(tag)
                + " (expected 'w' or 'k')",
            tag,
            0);
    }
  }

  private static void requireLength(
      char tag, String name, int actual, int expected, boolean exact) {
    if (actual < expected) {
      throw new PgOutputDecodeException(
          "malformed replication "
              + name
              + " frame at byte "
              + actual
              + ": truncated, the frame needs "
              + (exact ? "" : "at least ")
              + expected
              + " bytes but has "
              + actual,
          tag,
          actual);
    }
    if (exact && actual > expected) {
      // A keepalive has a fixed size; extra bytes mean the framing is off.
      throw new PgOutputDecodeException(
          "malformed replication "
              + name
              + " frame at byte "
              + expected
              + ": "
              + (actual - expected)
              + " unexpected bytes after the end of the frame",
          tag,
          expected);
    }
  }

  private static String describe(char tag) {
    String hex = String.format("0x%02X", (int) tag);
    return tag >= 0x20 && tag < 0x7F ? "'" + tag + "' (" + hex + ")" : hex;
  }

  /**
   * A standby status update ('r') reporting the given positions. The server uses {@code flushed} to
   * advance the slot's confirmed_flush_lsn, which lets it recycle WAL.
   *
   * @param replyRequested ask the server to answer immediately with a keepalive
   */
  public static byte[] standbyStatusUpdate(
      Lsn written, Lsn flushed, Lsn applied, Instant clientTime, boolean replyRequested) {
    Objects.requireNonNull(written, "written");
    Objects.requireNonNull(flushed, "flushed");
    Objects.requireNonNull(applied, "applied");
    Objects.requireNonNull(clientTime, "clientTime");
    return ByteBuffer.allocate(STANDBY_STATUS_UPDATE_LENGTH)
        .put((byte) 'r')
        .putLong(written.value())
        .putLong(flushed.value())
        .putLong(applied.value())
        .putLong(PgTimestamps.toPgMicros(clientTime))
        .put((byte) (replyRequested ? 1 : 0))
        .array();
  }
}
