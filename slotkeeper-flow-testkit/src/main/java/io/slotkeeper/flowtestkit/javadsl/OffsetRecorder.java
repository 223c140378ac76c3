package io.slotkeeper.flowtestkit.javadsl;

import io.slotkeeper.CommittableOffset;
import io.slotkeeper.Lsn;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Makes {@link CommittableOffset}s that record their commits instead of acknowledging to a source,
 * so a test can assert what a flow acknowledged, and in what order (as pekko-connectors-kafka's
 * {@code ConsumerResultFactory} offsets with a fake committer). Thread-safe: a stream may commit
 * from any thread.
 *
 * <p>Like the engine's offsets, only a unit end (a Commit, or a message sent outside a transaction)
 * acknowledges anything; committing any other offset is counted in {@link #commitCalls()} but
 * acknowledges nothing. {@code commit()} completes at once.
 */
public final class OffsetRecorder {
  private static final CompletionStage<Done> DONE =
      CompletableFuture.completedFuture(Done.getInstance());

  private final List<Lsn> acknowledged = new ArrayList<>();
  private int commitCalls;

  private OffsetRecorder() {}

  public static OffsetRecorder create() {
    return new OffsetRecorder();
  }

  /**
   * An offset at {@code lsn}. For a unit end, {@code lsn} is what acknowledging it confirms: the
   * end of the commit record ({@code Commit.endLsn()}), or a standalone message's own {@code lsn}.
   */
  public CommittableOffset offset(Lsn lsn, boolean unitEnd) {
    return new RecordingOffset(Objects.requireNonNull(lsn), unitEnd);
  }

  /** The positions of the unit ends committed so far, in the order they were committed. */
  public synchronized List<Lsn> acknowledged() {
    return List.copyOf(acknowledged);
  }

  /**
   * The highest position acknowledged (acknowledgement is cumulative, so what a source would
   * confirm).
   */
  public synchronized Optional<Lsn> highestAcknowledged() {
    return acknowledged.stream().max(Lsn::compareTo);
  }

  /** Every {@code commit()} call on this recorder's offsets, unit ends or not. */
  public synchronized int commitCalls() {
    return commitCalls;
  }

  /** Forgets what was recorded. */
  public synchronized void clear() {
    acknowledged.clear();
    commitCalls = 0;
  }

  private synchronized void record(Lsn lsn, boolean unitEnd) {
    commitCalls++;
    if (unitEnd) {
      acknowledged.add(lsn);
    }
  }

  private final class RecordingOffset implements CommittableOffset {
    private final Lsn lsn;
    private final boolean unitEnd;

    RecordingOffset(Lsn lsn, boolean unitEnd) {
      this.lsn = lsn;
      this.unitEnd = unitEnd;
    }

    @Override
    public Lsn lsn() {
      return lsn;
    }

    @Override
    public boolean isUnitEnd() {
      return unitEnd;
    }

    @Override
    public CompletionStage<Done> commit() {
      record(lsn, unitEnd);
      return DONE;
    }

    @Override
    public String toString() {
      return "RecordingOffset(" + lsn + (unitEnd ? ", end" : "") + ")";
    }
  }
}
