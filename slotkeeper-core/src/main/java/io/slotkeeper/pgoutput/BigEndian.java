package io.slotkeeper.pgoutput;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Every integer in the replication protocol is big-endian. A {@link ByteBuffer}'s absolute {@code
 * getInt}/{@code getLong} follow the buffer's own order, which the caller may have set to
 * little-endian for its own reasons; reading through this view makes that impossible to get wrong.
 *
 * <p>Part of the public decoding package because {@link PgOutputDecoder} needs it and a public
 * package depends on no internal one; the engine's frame reader ({@code internal.wire}) uses it
 * from here.
 */
public final class BigEndian {

  private BigEndian() {}

  /**
   * {@code buffer} itself when it is already big-endian (the usual case: no allocation on the hot
   * path), else a duplicate set to big-endian. The duplicate shares content, position and limit, so
   * absolute offsets mean the same in both; the caller's buffer keeps its order.
   */
  public static ByteBuffer view(ByteBuffer buffer) {
    return buffer.order() == ByteOrder.BIG_ENDIAN
        ? buffer
        : buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
  }
}
