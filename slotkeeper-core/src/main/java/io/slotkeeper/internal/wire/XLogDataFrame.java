package io.slotkeeper.internal.wire;

import io.slotkeeper.InternalApi;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An XLogData frame read in place, for the logical read loop, which handles one per change: the
 * header's numbers come straight out of the frame's array and the payload is one buffer over that
 * array, so a message costs no object beyond that buffer. {@link ReplicationFrames#decode} builds
 * an {@link XLogData} record instead, with an {@code Instant}, two {@code Lsn}s and four buffer
 * views; issue 16's profile of a catch-up found those a quarter of what the embedded source
 * allocated. Everything but the logical read loop (keepalives, the physical archiver, tests) keeps
 * using {@code decode}, which checks and reports malformed frames the same way.
 */
@InternalApi
public final class XLogDataFrame {
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final int HEADER = ReplicationFrames.XLOG_DATA_HEADER_LENGTH;

  private XLogDataFrame() {}

  /**
   * True when {@code frame} is an XLogData frame ({@code 'w'}) with its whole header; false for any
   * other frame, which {@link ReplicationFrames#decode} then reads (or rejects).
   *
   * @throws io.slotkeeper.pgoutput.PgOutputDecodeException for an XLogData frame shorter than its
   *     header, exactly as {@code decode} would
   */
  public static boolean is(byte[] frame) {
    if (frame == null || frame.length == 0 || (frame[0] & 0xFF) != XLogData.TAG) {
      return false;
    }
    if (frame.length < HEADER) {
      ReplicationFrames.decode(frame); // throws the same error as any other reader gets
    }
    return true;
  }

  /** The frame's WAL start, as an LSN's value. */
  public static long walStart(byte[] frame) {
    return (long) LONG.get(frame, 1);
  }

  /** The frame's WAL end, as an LSN's value. */
  public static long walEnd(byte[] frame) {
    return (long) LONG.get(frame, 9);
  }

  /**
   * When the server sent the frame, in PostgreSQL's microseconds since 2000 ({@link
   * io.slotkeeper.pgoutput.PgTimestamps#fromPgMicros} makes it an {@code Instant} when needed).
   */
  public static long sendTimeMicros(byte[] frame) {
    return (long) LONG.get(frame, 17);
  }

  /**
   * The payload: the frame's remaining bytes from this buffer's position to its limit (position =
   * the header's length, not 0). It shares the frame's array, which must not be changed or reused
   * while the payload is in use; it is writable only to save a read-only copy: its readers (the
   * decoder, the streamed-transaction spool) only read.
   */
  public static ByteBuffer payload(byte[] frame) {
    return ByteBuffer.wrap(frame, HEADER, frame.length - HEADER);
  }
}
