package io.slotkeeper.internal.physical;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.InternalApi;
import io.slotkeeper.javadsl.ArchiveControl;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;

/**
 * Starts an archiver: materializes the writing stream (a backpressured queue, a batching stage, and
 * the writer on the blocking dispatcher behind an async boundary) and spawns its {@link
 * ArchiveActor}.
 */
@InternalApi
public final class Archiver {
  private static final AtomicLong IDS = new AtomicLong();

  /** Batches waiting in the queue before an offer has to wait. */
  private static final int QUEUE_BATCHES = 4;

  /** Batches the batching stage merges while the writer is busy (each at most 4 MB). */
  private static final int MERGED_BATCHES = 16;

  private Archiver() {}

  public static ArchiveControl start(
      ClassicActorSystemProvider provider, ArchiveSettings settings) {
    ActorSystem<Void> system = Adapter.toTyped(provider.classicSystem());
    ArchiveState state = new ArchiveState();
    WriteStage writer = new WriteStage(settings.directory(), state);
    Flow<List<WalChunk.Batch>, Done, ?> write =
        Flow.<List<WalChunk.Batch>>create()
            .map(
                batches -> {
                  writer.write(batches);
                  return Done.getInstance();
                })
            .async(settings.source().blockingDispatcher());
    Pair<SourceQueueWithComplete<WalChunk.Batch>, CompletionStage<Done>> materialized =
        Source.<WalChunk.Batch>queue(QUEUE_BATCHES, OverflowStrategy.backpressure())
            .batch(
                MERGED_BATCHES,
                first -> {
                  List<WalChunk.Batch> l = new java.util.ArrayList<>();
                  l.add(first);
                  return l;
                },
                (l, next) -> {
                  l.add(next);
                  return l;
                })
            .via(write)
            .toMat(Sink.ignore(), Keep.both())
            .run(system);
    // Whatever ended the stream, the open segment is fsynced and closed before anyone hears of it.
    CompletionStage<Done> writerDone =
        materialized
            .second()
            .handle(
                (d, e) -> {
                  try {
                    writer.close();
                  } catch (Exception closeFailure) {
                    if (e == null) {
                      throw new java.util.concurrent.CompletionException(closeFailure);
                    }
                  }
                  if (e != null) {
                    throw e instanceof java.util.concurrent.CompletionException ce
                        ? ce
                        : new java.util.concurrent.CompletionException(e);
                  }
                  return d;
                });
    WalPipe pipe = new WalPipe(materialized.first());
    CompletableFuture<ActorRef<io.slotkeeper.internal.status.StatusMonitor.Command>> monitor =
        new CompletableFuture<>();
    ArchiveControlImpl control = new ArchiveControlImpl(settings, state, monitor);
    ActorRef<ArchiveActor.Command> root =
        system.systemActorOf(
            ArchiveActor.create(settings, state, pipe, writerDone, monitor, control::markShutdown),
            "slotkeeper-archive-" + IDS.incrementAndGet(),
            Props.empty());
    control.root(root);
    return control;
  }
}
