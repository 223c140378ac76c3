package io.slotkeeper.internal.wire;

import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * XLogData ({@code 'w'}): WAL data, for logical replication one output-plugin message.
 *
 * <p>{@code payload} shares memory with the frame it was decoded from (no copy), so it is only
 * valid as long as the caller does not reuse that buffer. It is read-only, and every call to {@link
 * #payload()} returns a fresh view starting at position 0, so readers cannot disturb each other.
 */
@InternalApi
public record XLogData(Lsn walStart, Lsn walEnd, Instant sendTime, ByteBuffer payload)
    implements ReplicationFrame {

  public static final char TAG = 'w';

  public XLogData {
    Objects.requireNonNull(walStart, "walStart");
    Objects.requireNonNull(walEnd, "walEnd");
    Objects.requireNonNull(sendTime, "sendTime");
    payload = payload.slice().asReadOnlyBuffer();
  }

  @Override
  public ByteBuffer payload() {
    return payload.duplicate();
  }

  public int payloadLength() {
    return payload.remaining();
  }

  @Override
  public char tag() {
    return TAG;
  }
}
