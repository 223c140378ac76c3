package io.slotkeeper.internal.stage;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.InternalApi;
import java.util.List;

/** How the SourceActor hands work to the stream stage; every method is safe from any thread. */
@InternalApi
public interface StageHandle {
  void deliver(List<ChangeEnvelope> envelopes);

  /** Emit what is buffered, then complete. */
  void complete();

  /** Emit what is buffered, then fail with {@code error}. */
  void fail(Throwable error);
}
