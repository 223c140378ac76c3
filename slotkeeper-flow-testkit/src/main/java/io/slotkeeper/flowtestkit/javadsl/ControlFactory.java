package io.slotkeeper.flowtestkit.javadsl;

import io.slotkeeper.ChangeEnvelope;
import java.util.List;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Stand-ins for {@code ReplicationSource.create(settings)}: sources of prepared envelopes whose
 * materialized value is a {@link FakeControl}, as pekko-connectors-kafka's {@code
 * ConsumerControlFactory.controlSource}. Plug one in where the application builds its source, and
 * the rest of its stream (and its {@code DrainingControl}) runs as it would against a database.
 */
public final class ControlFactory {
  private ControlFactory() {}

  /** A control attached to nothing: stop and shutdown only change its own state. */
  public static FakeControl control() {
    return new FakeControl(() -> {});
  }

  /**
   * Emits {@code envelopes}, then stays open, as a replication source does, until the control's
   * {@code stop()}, {@code shutdown()} or {@code drainAndShutdown(...)} completes it.
   */
  public static Source<ChangeEnvelope, FakeControl> source(List<ChangeEnvelope> envelopes) {
    return controlSource(Source.from(envelopes).concat(Source.never()));
  }

  /**
   * {@code source} with a fake control whose stop completes it (what is in flight still arrives).
   */
  public static Source<ChangeEnvelope, FakeControl> controlSource(
      Source<ChangeEnvelope, ?> source) {
    return source
        .viaMat(KillSwitches.single(), Keep.right())
        .mapMaterializedValue(killSwitch -> new FakeControl(killSwitch::shutdown));
  }
}
