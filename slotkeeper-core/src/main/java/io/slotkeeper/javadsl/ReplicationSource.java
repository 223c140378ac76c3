package io.slotkeeper.javadsl;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.stage.ReplicationSourceStage;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Entry point: a Pekko Streams source of the changes in one logical replication slot.
 *
 * <pre>{@code
 * SourceSettings settings = SourceSettings.create(system)
 *     .withSlotName("orders_slot").withPublications("orders_pub");
 * DrainingControl<Done> control = ReplicationSource.create(settings)
 *     .map(envelope -> { store(envelope); return envelope.committableOffset(); })
 *     .toMat(Committer.sink(), Keep.both())
 *     .mapMaterializedValue(DrainingControl::create)
 *     .run(system);
 * control.waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(30));
 * ...
 * control.drainAndShutdown();
 * }</pre>
 *
 * <p>Each materialization runs its own supervised actor tree in the materializer's actor system and
 * streams from the slot's confirmed position. Delivery is at-least-once across process restarts
 * (unacknowledged transactions come again) and exactly-once across reconnects within one
 * materialization.
 */
public final class ReplicationSource {
  private ReplicationSource() {}

  /**
   * A source of change envelopes. The settings are validated now: a missing slot name, URL or
   * publication fails here with an {@link IllegalArgumentException} naming the fix.
   */
  public static Source<ChangeEnvelope, Control> create(SourceSettings settings) {
    return Source.fromGraph(new ReplicationSourceStage(settings));
  }
}
