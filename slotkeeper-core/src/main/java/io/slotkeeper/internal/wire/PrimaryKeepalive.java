package io.slotkeeper.internal.wire;

import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import java.time.Instant;
import java.util.Objects;

/**
 * Primary keepalive ({@code 'k'}). When {@code replyRequested} is set the server wants a standby
 * status update promptly, or it may end the connection after {@code wal_sender_timeout}.
 */
@InternalApi
public record PrimaryKeepalive(Lsn walEnd, Instant sendTime, boolean replyRequested)
    implements ReplicationFrame {

  public static final char TAG = 'k';

  public PrimaryKeepalive {
    Objects.requireNonNull(walEnd, "walEnd");
    Objects.requireNonNull(sendTime, "sendTime");
  }

  @Override
  public char tag() {
    return TAG;
  }
}
