package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** The trampoline on its own: what runs on the waking thread, in which order, and what does not. */
class WakeTrampolineTest {

  /** An executor that only records what it was handed. */
  private static final class Recording implements Executor {
    final List<Runnable> handed = new ArrayList<>();

    @Override
    public void execute(Runnable task) {
      handed.add(task);
    }
  }

  @Test
  void outsideAWakeNothingIsTaken() {
    assertThat(WakeTrampoline.offer(() -> {}, new Recording())).isFalse();
  }

  @Test
  void tasksOfferedDuringAWakeRunOnItsThreadAfterItInOrder() {
    Recording pool = new Recording();
    List<String> seen = new ArrayList<>();
    Thread caller = Thread.currentThread();
    WakeTrampoline.run(
        () -> {
          seen.add("wake");
          assertThat(
                  WakeTrampoline.offer(
                      () -> {
                        seen.add("first");
                        // Offered by a task: runs after what was queued before it.
                        WakeTrampoline.offer(() -> seen.add("third"), pool);
                      },
                      pool))
              .isTrue();
          WakeTrampoline.offer(
              () -> seen.add("second " + (Thread.currentThread() == caller)), pool);
          seen.add("wake done");
        });
    assertThat(seen).containsExactly("wake", "wake done", "first", "second true", "third");
    assertThat(pool.handed).isEmpty();
    assertThat(WakeTrampoline.offer(() -> {}, pool)).as("after the wake").isFalse();
  }

  @Test
  void pastTheBoundTheRestGoesToItsExecutor() {
    Recording pool = new Recording();
    int[] ran = {0};
    WakeTrampoline.run(
        () -> {
          for (int i = 0; i < WakeTrampoline.MAX_TASKS + 3; i++) {
            WakeTrampoline.offer(() -> ran[0]++, pool);
          }
        });
    assertThat(ran[0]).isEqualTo(WakeTrampoline.MAX_TASKS);
    assertThat(pool.handed).hasSize(3);
  }

  @Test
  void aFailingTaskDoesNotStopTheOthersNorTheCaller() {
    Recording pool = new Recording();
    List<String> seen = new ArrayList<>();
    WakeTrampoline.run(
        () -> {
          WakeTrampoline.offer(
              () -> {
                throw new IllegalStateException("boom");
              },
              pool);
          WakeTrampoline.offer(() -> seen.add("after"), pool);
        });
    assertThat(seen).containsExactly("after");
  }

  /**
   * What escapes a mailbox run is fatal to Pekko (an actor's own failures are its supervisor's): on
   * a pool thread it reaches the actor system's handler, which ends the system or the JVM ({@code
   * jvm-exit-on-fatal-error}). On the waiter's thread it must not be logged and forgotten.
   */
  @Test
  void anErrorFromATaskIsRaisedOnItsExecutorAndStopsTheWaitersRuns() {
    Recording pool = new Recording();
    Recording other = new Recording();
    List<String> seen = new ArrayList<>();
    OutOfMemoryError fatal = new OutOfMemoryError("boom");
    WakeTrampoline.run(
        () -> {
          WakeTrampoline.offer(
              () -> {
                throw fatal;
              },
              pool);
          WakeTrampoline.offer(() -> seen.add("after"), other);
        });
    assertThat(seen).as("nothing more runs on the waiter's thread").isEmpty();
    assertThat(other.handed).as("the rest goes to its executor").hasSize(1);
    assertThat(pool.handed).as("the failing task's executor is handed the error").hasSize(1);
    assertThatThrownBy(() -> pool.handed.get(0).run()).isSameAs(fatal);
    assertThat(WakeTrampoline.offer(() -> {}, pool)).as("after the wake").isFalse();
  }

  @Test
  void aWakeThatThrowsHandsWhatItQueuedToTheExecutors() {
    Recording pool = new Recording();
    IllegalStateException boom = new IllegalStateException("boom");
    assertThatThrownBy(
            () ->
                WakeTrampoline.run(
                    () -> {
                      WakeTrampoline.offer(() -> {}, pool);
                      throw boom;
                    }))
        .as("the wake's own failure is the caller's")
        .isSameAs(boom);
    assertThat(pool.handed).hasSize(1);
    assertThat(WakeTrampoline.offer(() -> {}, pool)).isFalse();
  }
}
