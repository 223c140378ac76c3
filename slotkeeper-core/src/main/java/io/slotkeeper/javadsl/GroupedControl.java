package io.slotkeeper.javadsl;

import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;

/**
 * The materialized value of a merged multi-slot source ({@link SlotGroups#merged}): one {@link
 * Control} per group, and the operations that act on all of them.
 */
public final class GroupedControl {
  private final Map<String, Control> controls;

  GroupedControl(Map<String, Control> controls) {
    this.controls = Collections.unmodifiableMap(new LinkedHashMap<>(controls));
  }

  /** Each group's own control, by group name, in the order the groups were given. */
  public Map<String, Control> controls() {
    return controls;
  }

  /** Each group's latest status, by group name. */
  public Map<String, SourceStatus> status() {
    Map<String, SourceStatus> all = new LinkedHashMap<>();
    controls.forEach((group, c) -> all.put(group, c.status()));
    return all;
  }

  /**
   * Completes once every group reached {@code level}; exceptionally as soon as one group's wait
   * fails (with that group's failure).
   */
  public CompletionStage<Done> waitUntil(StatusLevel level, Duration timeout) {
    return all(c -> c.waitUntil(level, timeout).thenApply(s -> Done.getInstance()));
  }

  /** {@link Control#stop()} on every group. */
  public CompletionStage<Done> stop() {
    return all(Control::stop);
  }

  /** {@link Control#shutdown()} on every group. */
  public CompletionStage<Done> shutdown() {
    return all(Control::shutdown);
  }

  /**
   * Stops every group, waits for {@code streamCompletion}, then shuts every group down; completes
   * with the stream's result, as {@link Control#drainAndShutdown}.
   */
  public <T> CompletionStage<T> drainAndShutdown(CompletionStage<T> streamCompletion) {
    return stop()
        .thenCompose(d -> streamCompletion.handle((value, error) -> null))
        .thenCompose(x -> shutdown())
        .thenCompose(d -> streamCompletion);
  }

  private CompletionStage<Done> all(Function<Control, CompletionStage<Done>> each) {
    List<CompletableFuture<Done>> futures = new ArrayList<>();
    for (Control c : controls.values()) {
      futures.add(each.apply(c).toCompletableFuture());
    }
    return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
        .thenApply(v -> Done.getInstance());
  }
}
