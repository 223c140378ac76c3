package io.slotkeeper.bench;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Child JVM of the memory benchmark: streams one slot to the end of a known number of inserted rows
 * in a fresh JVM with a small heap, and prints its heap figures on one line. A fresh JVM per size
 * keeps one size's garbage and JIT state from colouring the next.
 *
 * <p>Two figures, because heap "peak" means two different things:
 *
 * <ul>
 *   <li><b>live</b>: the most heap still in use at the end of a full collection, sampled every
 *       {@link #SAMPLE_MILLIS} ms (System.gc(), then the collector's own after-GC figures). This is
 *       what would grow if the source held on to a transaction's rows.
 *   <li><b>peak used</b>: the sum over heap pools of {@link MemoryPoolMXBean#getPeakUsage()} since
 *       the source became ACTIVE: live data plus garbage not yet collected, so it also depends on
 *       how large the collector lets the young generation grow.
 * </ul>
 *
 * <p>Arguments: url user password slot publication rows.
 */
public final class MemoryProbe {
  static final long SAMPLE_MILLIS = 250;

  private MemoryProbe() {}

  /**
   * Heap in use at the end of the most recent collection (normally the full one System.gc() just
   * ran), as the collector itself recorded it. Reading "heap used" after System.gc() returns would
   * also count whatever the streaming threads allocated since, which on a busy machine can be many
   * megabytes.
   */
  static long heapAfterLastGc(List<MemoryPoolMXBean> heapPools) {
    com.sun.management.GcInfo latest = null;
    for (java.lang.management.GarbageCollectorMXBean gc :
        ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof com.sun.management.GarbageCollectorMXBean g) {
        com.sun.management.GcInfo info = g.getLastGcInfo();
        if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
          latest = info;
        }
      }
    }
    if (latest == null) {
      return 0;
    }
    long sum = 0;
    for (MemoryPoolMXBean pool : heapPools) {
      java.lang.management.MemoryUsage u = latest.getMemoryUsageAfterGc().get(pool.getName());
      if (u != null) {
        sum += u.getUsed();
      }
    }
    return sum;
  }

  public static void main(String[] args) throws Exception {
    String url = args[0];
    String user = args[1];
    String password = args[2];
    String slot = args[3];
    String publication = args[4];
    long rows = Long.parseLong(args[5]);

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "memory-probe");
    SourceSettings settings =
        // reference.conf with the -Dslotkeeper.source.* that the bench forwards (MemoryBench).
        SourceSettings.create(
                com.typesafe.config.ConfigFactory.load().getConfig(SourceSettings.CONFIG_PATH))
            .withUrl(url)
            .withUser(user)
            .withPassword(password)
            .withSlotName(slot)
            .withPublications(publication);
    CompletableFuture<Long> reached = new CompletableFuture<>();
    long[] inserts = {0};
    long t0 = System.nanoTime();
    Pair<Control, java.util.concurrent.CompletionStage<Done>> run =
        ReplicationSource.create(settings)
            .toMat(
                Sink.foreach(
                    (ChangeEnvelope env) -> {
                      if (env.kind() == ChangeEnvelope.Kind.INSERT) {
                        inserts[0]++;
                      } else if (env.kind() == ChangeEnvelope.Kind.COMMIT) {
                        env.committableOffset().commit();
                        if (inserts[0] >= rows) {
                          reached.complete(System.nanoTime());
                        }
                      }
                    }),
                Keep.both())
            .run(system);
    Control control = run.first();
    control
        .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(60))
        .toCompletableFuture()
        .get(70, TimeUnit.SECONDS);

    List<MemoryPoolMXBean> heapPools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP)
            .toList();
    heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
    // Live samples with their time, to tell growth (a leak: later samples higher) from warm-up.
    List<long[]> liveSamples = new java.util.ArrayList<>();
    long activeAt = System.nanoTime();
    Thread sampler =
        new Thread(
            () -> {
              while (!reached.isDone()) {
                System.gc();
                long used = heapAfterLastGc(heapPools);
                if (used > 0) {
                  liveSamples.add(new long[] {System.nanoTime(), used});
                }
                try {
                  Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();

    long end;
    try {
      end = reached.get(1800, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      System.out.println("RESULT error=timeout inserts=" + inserts[0]);
      System.exit(2);
      return;
    }
    sampler.join();
    long half = activeAt + (end - activeAt) / 2;
    long maxLive = 0;
    long firstHalf = 0;
    long secondHalf = 0;
    for (long[] sample : liveSamples) {
      maxLive = Math.max(maxLive, sample[1]);
      if (sample[0] < half) {
        firstHalf = Math.max(firstHalf, sample[1]);
      } else {
        secondHalf = Math.max(secondHalf, sample[1]);
      }
    }
    long peak = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    control.shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
    system.terminate();
    System.out.printf(
        "RESULT rows=%d seconds=%.3f live=%d live1=%d live2=%d samples=%d peak=%d max=%d%n",
        inserts[0],
        (end - t0) / 1e9,
        maxLive,
        firstHalf,
        secondHalf,
        liveSamples.size(),
        peak,
        Runtime.getRuntime().maxMemory());
    System.exit(0);
  }
}
