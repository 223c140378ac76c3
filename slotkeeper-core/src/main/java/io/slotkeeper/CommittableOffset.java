package io.slotkeeper;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * A position the consumer can acknowledge once it has made what it received durable. Only the
 * offset of a transaction's Commit envelope (or of a message sent outside any transaction)
 * acknowledges anything: the slot can only be confirmed at transaction boundaries, so the offsets
 * of Begin and change envelopes are accepted and ignored. That lets a consumer simply commit the
 * offset of every envelope it handled.
 *
 * <p>The engine makes these; users receive them in {@link ChangeEnvelope#committableOffset()} and
 * do not implement this interface (the flow testkit, {@code io.slotkeeper.flowtestkit.javadsl}, has
 * offsets that record what was committed, for testing a flow without a database).
 */
public interface CommittableOffset {

  /**
   * For a unit end: the position the slot may be confirmed to once this is acknowledged (the end of
   * the commit record, or of a standalone message's record). For any other offset: the envelope's
   * own position.
   */
  Lsn lsn();

  /** True for the offset of a Commit, or of a message sent outside a transaction. */
  boolean isUnitEnd();

  /**
   * Acknowledges this offset, and with it everything delivered before it (acknowledgement is
   * cumulative, as with a Kafka offset): committing only the last Commit of a batch, or filtering
   * envelopes before committing, acknowledges all that came before. Safe to call from any thread;
   * it never blocks.
   *
   * <p>What the returned stage promises, and no more: it completes once the source has taken the
   * acknowledgement into its ledger, so that its confirmed position ({@code Control.progress()})
   * covers this offset as soon as everything delivered before it is acknowledged too. It does not
   * wait for the server: the new position reaches the slot with the next status update (within
   * {@code ack.flush-interval}), and a crash before that brings the unit again (at-least-once). For
   * an offset that is not a unit end it completes at once, as there is nothing to take. It
   * completes exceptionally with an {@link IllegalStateException} when the source stopped before
   * taking it, or when it arrives after the source's shutdown began ({@code Control.shutdown()}:
   * the final status update may already be on its way; {@code drainAndShutdown} takes every
   * acknowledgement made before the stream completed); the unit then comes again on the next start.
   * Waiting for it is optional: a consumer that only needs the slot to advance may ignore it, as
   * {@code Committer.sink()} does. The stage holds {@link Done}, not {@code Void}, like every stage
   * of {@code Control}, so that it composes with Pekko's own (a {@code Sink.foreachAsync}, {@code
   * Done}-typed completions) without a conversion.
   */
  CompletionStage<Done> commit();
}
