package io.slotkeeper.cluster;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.CommittableOffset;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * Builds what one sharded source does with its changes, as {@link FlowFactory} does for a singleton
 * source, told which source it is for. Called on the node that hosts the source, once per run
 * (after each start, restart and move), so state kept in the flow starts fresh each time; every
 * offset the flow emits is acknowledged, in the order emitted.
 */
@FunctionalInterface
public interface SourceFlowFactory {
  Flow<ChangeEnvelope, CommittableOffset, ?> create(ActorSystem<?> system, String sourceId)
      throws Exception;
}
