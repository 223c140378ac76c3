package docs.javadsl;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.cluster.ClusterSourceStatus;
import io.slotkeeper.cluster.ShardedSources;
import io.slotkeeper.cluster.ShardedSourcesStatus;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The README's "Many sources: Cluster Sharding" code: the marked lines, exactly (checked by {@link
 * ShardedReadmeExampleTest}); compiled with the tests, so the README cannot show an API that is not
 * there.
 */
final class ShardedSourcesExample {
  private ShardedSourcesExample() {}

  static CompletionStage<Done> store(String tenant, ChangeEnvelope envelope) {
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  static void example(ActorSystem<Void> system) {
    // #sharded-sources
    // application.conf: include classpath("slotkeeper-cluster.conf"), plus the node's own
    // slotkeeper.source { user, password } shared by every source.
    // The same call on every node; each hosts its share. The flow is built anew for every run.
    ShardedSources sources =
        ShardedSources.start(
            system,
            (sys, tenant) ->
                Flow.of(ChangeEnvelope.class)
                    .mapAsync(
                        1, env -> store(tenant, env).thenApply(d -> env.committableOffset())));

    // From any node, at any time: only what differs per source.
    sources.add(
        "tenant-42",
        ConfigFactory.parseString(
            "url = \"jdbc:postgresql://db.internal:5432/tenant42\"\n"
                + "slot-name = tenant42\n"
                + "publications = [tenant42_pub]"));

    CompletionStage<ClusterSourceStatus> one = sources.status("tenant-42");
    CompletionStage<ShardedSourcesStatus> all = sources.statusAll(); // summary(): per level
    sources.awaitAll(StatusLevel.ACTIVE, Duration.ofMinutes(2));
    sources.list(); // id -> SourceSettings (secrets masked in toString)
    sources.remove("tenant-42", true); // drain, final status, then drop the slot (false: keep it)
    // #sharded-sources
  }
}
