package io.slotkeeper.it;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The consumer {@link SnapshotHeapIT} runs in a JVM of its own with a small heap: takes an initial
 * snapshot, counts its rows without keeping them, and prints {@code snapshot rows: N} once the
 * snapshot is done and every row has arrived. Exits 0 then, 2 on a timeout; an OutOfMemoryError
 * ends it with the JVM's {@code -XX:+ExitOnOutOfMemoryError}.
 *
 * <p>Arguments: url user password slot publication ({@link ChildJvm#start}), then chunk-size
 * readers expected-rows.
 */
final class SnapshotHeapMain {
  private SnapshotHeapMain() {}

  public static void main(String[] args) throws Exception {
    long expected = Long.parseLong(args[7]);
    SourceSettings settings =
        ChildJvm.sourceSettings(args)
            .withSnapshot(SlotSettings.Snapshot.INITIAL)
            .withSnapshotChunkSize(Integer.parseInt(args[5]))
            .withSnapshotReaders(Integer.parseInt(args[6]));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "snapshot-heap");
    AtomicLong rows = new AtomicLong();
    Control control =
        ReplicationSource.create(settings)
            .to(
                Sink.foreach(
                    (ChangeEnvelope e) -> {
                      if (e.kind() == ChangeEnvelope.Kind.SNAPSHOT) {
                        rows.incrementAndGet();
                      }
                    }))
            .run(system);
    long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
    int code = 2;
    while (System.nanoTime() < deadline) {
      if (control.progress().snapshot().state() == SnapshotProgress.State.DONE
          && rows.get() >= expected) {
        Runtime rt = Runtime.getRuntime();
        System.out.println(
            "snapshot rows: "
                + rows.get()
                + " (max heap "
                + rt.maxMemory() / (1024 * 1024)
                + " MB)");
        code = 0;
        break;
      }
      Thread.sleep(50);
    }
    if (code != 0) {
      System.out.println("timed out with " + rows.get() + " snapshot rows");
    }
    control.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    system.terminate();
    System.exit(code);
  }
}
