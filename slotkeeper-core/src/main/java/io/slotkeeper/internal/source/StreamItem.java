package io.slotkeeper.internal.source;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;

/** One thing a connection read, handed to the SourceActor in stream order. */
@InternalApi
public sealed interface StreamItem {

  /** A decoded change, message or transaction boundary. */
  record Change(ChangeEnvelope envelope) implements StreamItem {}

  /** A server keepalive's WAL end: where the server is, with nothing for us before it. */
  record WalEnd(Lsn lsn) implements StreamItem {}
}
