package io.slotkeeper.internal.stage;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.InternalApi;
import java.util.List;

/** How the SourceActor hands work to the stream stage; every method is safe from any thread. */
@InternalApi
public interface StageHandle {
  /**
   * Envelopes for the stage's buffer. {@code answersDemand} is true when they end what the stage
   * asked for (it may ask again); false for part of an open request (more may follow without a new
   * request) and for what the source sends on its own (a resync notice).
   */
  void deliver(List<ChangeEnvelope> envelopes, boolean answersDemand);

  /** Emit what is buffered, then complete. */
  void complete();

  /** Emit what is buffered, then fail with {@code error}. */
  void fail(Throwable error);
}
