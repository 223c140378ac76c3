package docs.javadsl;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Committer;
import io.slotkeeper.javadsl.DrainingControl;
import io.slotkeeper.javadsl.ReplicationSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Keep;

/**
 * The README's "Embedded use" example. The lines between the {@code // #embedded-use} markers are
 * the README's code block (ReadmeExampleTest checks that they match); EmbeddedUseIT runs them
 * against a real server.
 */
final class EmbeddedUse {
  /** Stands for the application's own durable store. */
  final List<ChangeEnvelope> stored = new CopyOnWriteArrayList<>();

  ActorSystem<Void> system;
  DrainingControl<Done> control;

  void store(ChangeEnvelope envelope) {
    stored.add(envelope);
  }

  void start(String url, String user, String password) {
    // #embedded-use
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "app");
    SourceSettings settings =
        SourceSettings.create(system) // slotkeeper.source { ... } in application.conf
            .withUrl(url)
            .withUser(user)
            .withPassword(password)
            .withSlotName("app_slot")
            .withPublications("app_pub");

    DrainingControl<Done> control =
        ReplicationSource.create(settings)
            .map(
                envelope -> {
                  store(envelope); // make it durable first
                  return envelope.committableOffset();
                })
            .toMat(Committer.sink(), Keep.both()) // then acknowledge
            .mapMaterializedValue(DrainingControl::create)
            .run(system);
    // #embedded-use
    this.system = system;
    this.control = control;
  }

  CompletionStage<Done> inspectAndStop() {
    // #embedded-use

    control.waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(30)); // CompletionStage<SourceStatus>
    control.status(); // level (STOPPED < STARTING < READY < ACTIVE, or FAILED) and the reason
    control.progress(); // received / confirmed LSN, reconnects, delivered, acknowledged
    CompletionStage<Done> done = control.drainAndShutdown(); // the stream's result, after shutdown
    // #embedded-use
    return done;
  }
}
