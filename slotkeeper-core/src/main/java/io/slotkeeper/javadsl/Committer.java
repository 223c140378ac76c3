package io.slotkeeper.javadsl;

import io.slotkeeper.CommittableOffset;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.javadsl.Sink;

/** Sinks that acknowledge offsets, so the slot may advance past what they cover. */
public final class Committer {
  private Committer() {}

  /**
   * Acknowledges every offset it receives. Put it after the stage that makes the changes durable:
   * the slot then never advances past a transaction before its Commit's offset got here. Offsets of
   * Begin and change envelopes are accepted and ignored, so a flow may pass every envelope's offset
   * along.
   */
  public static Sink<CommittableOffset, CompletionStage<Done>> sink() {
    return Sink.foreach(CommittableOffset::commit);
  }
}
