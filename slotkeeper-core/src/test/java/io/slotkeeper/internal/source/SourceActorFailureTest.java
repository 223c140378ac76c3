package io.slotkeeper.internal.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.internal.stage.StageHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Whoever sees the stream fail must find the source FAILED when they then ask its status: the stage
 * is failed only after the StatusMonitor has published the failure.
 */
class SourceActorFailureTest {
  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  @Test
  void theStatusSaysFailedBeforeTheStreamFails() throws Exception {
    // Nothing listens on port 1: the connection fails and retries while the test runs, which is
    // all the source needs to be doing here.
    SourceSettings settings =
        SourceSettings.create(
                ConfigFactory.parseString(
                    "url = \"jdbc:postgresql://127.0.0.1:1/db\", user = u, slot-name = s, publications = [p]"))
            .withRestartBackoff(Duration.ofSeconds(5), Duration.ofSeconds(5), 0);
    SourceState state = new SourceState();
    CompletableFuture<SourceStatus> statusWhenFailed = new CompletableFuture<>();
    StageHandle stage =
        new StageHandle() {
          @Override
          public void deliver(List<ChangeEnvelope> envelopes, boolean answersDemand) {}

          @Override
          public void complete() {}

          @Override
          public void fail(Throwable error) {
            statusWhenFailed.complete(state.status.get());
          }
        };
    CompletableFuture<SourceActor.Refs> refs = new CompletableFuture<>();
    kit.spawn(SourceActor.create(settings, stage, state, refs, () -> {}));
    SourceFailedException error =
        new SourceFailedException("wal_level is replica. Fix: set it to logical", null);
    refs.get(5, TimeUnit.SECONDS).source().tell(new SourceActor.Failed(error));

    SourceStatus seen = statusWhenFailed.get(5, TimeUnit.SECONDS);
    assertThat(seen.level()).isEqualTo(StatusLevel.FAILED);
    assertThat(seen.reason()).isEqualTo(error.getMessage());
  }
}
