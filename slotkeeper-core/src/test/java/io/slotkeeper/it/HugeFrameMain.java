package io.slotkeeper.it;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.ReplicationSource;
import io.slotkeeper.pgoutput.Insert;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The consumer {@link HugeFrameIT} runs in a JVM of its own with a small heap: streams a table,
 * prints {@code active} once the source is ACTIVE, and {@code rows: id=value,...} once it has
 * received the expected number of inserts. Exits 0 then, 3 when the source FAILED, 2 on a timeout.
 * An OutOfMemoryError that escaped the engine ends the JVM through Pekko's {@code
 * jvm-exit-on-fatal-error} with another code.
 *
 * <p>Arguments: url user password slot publication expected-inserts.
 */
final class HugeFrameMain {
  private HugeFrameMain() {}

  public static void main(String[] args) throws Exception {
    int expected = Integer.parseInt(args[5]);
    SourceSettings base = ChildJvm.sourceSettings(args);
    // HugeFrameIT's byte offset is that of text-format values.
    SourceSettings settings =
        base.withStream(base.stream().withBinary(io.slotkeeper.StreamSettings.Binary.OFF));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "huge-frame");
    ConcurrentLinkedQueue<String> rows = new ConcurrentLinkedQueue<>();
    Control control =
        ReplicationSource.create(settings)
            .to(
                Sink.foreach(
                    (ChangeEnvelope e) -> {
                      if (e.message() instanceof Insert i) {
                        rows.add(i.newTuple().get(0).text() + "=" + i.newTuple().get(1).text());
                      }
                      e.committableOffset().commit();
                    }))
            .run(system);
    control.waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(60)).toCompletableFuture().get();
    System.out.println("active");
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    int code = 2;
    while (System.nanoTime() < deadline) {
      if (control.status().level() == StatusLevel.FAILED) {
        System.out.println("failed: " + control.status().reason());
        code = 3;
        break;
      }
      if (rows.size() >= expected) {
        System.out.println(
            "rows: " + String.join(",", rows) + " reconnects: " + control.progress().reconnects());
        code = 0;
        break;
      }
      Thread.sleep(50);
    }
    if (code == 2) {
      System.out.println("timed out with rows " + rows);
    }
    control.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    system.terminate();
    System.exit(code);
  }
}
