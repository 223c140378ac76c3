package io.slotkeeper.internal.wire;

import io.slotkeeper.InternalApi;

/** One CopyData message sent by the server during START_REPLICATION. */
@InternalApi
public sealed interface ReplicationFrame permits XLogData, PrimaryKeepalive {

  /** The frame's type byte: {@code 'w'} or {@code 'k'}. */
  char tag();
}
