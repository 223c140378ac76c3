package io.slotkeeper.internal.physical;

import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.InternalApi;
import io.slotkeeper.javadsl.ArchiveControl;
import java.time.Duration;
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

  /** Batches waiting in the queue before an offer has to wait (each at most 4 MB). */
  private static final int QUEUE_BATCHES = 2;

  /** WAL bytes the batching stage merges while the writer is busy, before it backpressures. */
  private static final long MERGED_BYTES = 8L << 20;

  private Archiver() {}

  public static ArchiveControl start(
      ClassicActorSystemProvider provider, ArchiveSettings settings) {
    return start(provider, settings, () -> {});
  }

  /**
   * As {@link #start(ClassicActorSystemProvider, ArchiveSettings)}, with {@code beforeWrite} run on
   * the writing stage before each write: for tests that make the disk slow.
   */
  public static ArchiveControl start(
      ClassicActorSystemProvider provider, ArchiveSettings settings, Runnable beforeWrite) {
    ActorSystem<Void> system = Adapter.toTyped(provider.classicSystem());
    ArchiveState state = new ArchiveState();
    // Not synchronous: fsync at most once per ack.flush-interval (and per completed segment), and
    // a tick of that interval fsyncs what came last before an idle spell.
    Duration syncInterval =
        settings.synchronous() ? Duration.ZERO : settings.source().stream().ackFlushInterval();
    WriteStage writer =
        new WriteStage(
            settings.directory(),
            settings.compression(),
            settings.compressionLevel(),
            state,
            syncInterval);
    // The writer's island has an input buffer of one element: what waits for the disk is bounded
    // by the queue, the batching stage and that one element (about 30 MB); then the connection's
    // offer waits and the socket is no longer read.
    Flow<List<WalChunk.Batch>, Done, ?> write =
        Flow.<List<WalChunk.Batch>>create()
            .map(
                batches -> {
                  beforeWrite.run();
                  writer.write(batches);
                  return Done.getInstance();
                })
            .async(settings.source().blockingDispatcher(), 1);
    Pair<SourceQueueWithComplete<WalChunk.Batch>, CompletionStage<Done>> materialized =
        Source.<WalChunk.Batch>queue(QUEUE_BATCHES, OverflowStrategy.backpressure())
            .merge(
                Source.tick(
                    tickInterval(syncInterval),
                    tickInterval(syncInterval),
                    new WalChunk.Batch(List.of())),
                true)
            .batchWeighted(
                MERGED_BYTES,
                Archiver::bytes,
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

  /** Ticks at the sync interval; synchronous archivers fsync every batch, so a rare tick does. */
  private static Duration tickInterval(Duration syncInterval) {
    return syncInterval.isZero() ? Duration.ofSeconds(1) : syncInterval;
  }

  private static long bytes(WalChunk.Batch batch) {
    long n = 0;
    for (WalChunk c : batch.chunks()) {
      n += c.data().remaining();
    }
    return n;
  }
}
