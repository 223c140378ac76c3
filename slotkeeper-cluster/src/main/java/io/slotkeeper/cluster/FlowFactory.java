package io.slotkeeper.cluster;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.CommittableOffset;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * Builds what a clustered source does with its changes: a flow from envelopes to the offsets that
 * may be acknowledged. The singleton puts the replication source in front of it and a committer
 * behind it, so the flow cannot forget to acknowledge, acknowledge past what it emitted, or outlive
 * the source: emit an envelope's offset only once its change is durable.
 *
 * <p>Called on the node that hosts the singleton, once per run: when the singleton starts there and
 * again after each restart, so state kept in the returned flow (or created while building it)
 * starts fresh each time. A flow that fails or completes ends the run; the singleton restarts it
 * after a back-off and reports the failure in its status.
 */
@FunctionalInterface
public interface FlowFactory {

  /**
   * @param system the actor system of the node that hosts the singleton
   * @return the consumer flow; every offset it emits is acknowledged, in the order emitted
   */
  Flow<ChangeEnvelope, CommittableOffset, ?> create(ActorSystem<?> system) throws Exception;
}
