package io.slotkeeper.internal.source;

import io.slotkeeper.CommittableOffset;
import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The engine's {@link CommittableOffset}: a position and the source it acknowledges to.
 * Package-private so that only the engine makes offsets that reach a ledger.
 */
@InternalApi
public final class CommittableOffsetImpl implements CommittableOffset {
  private static final CompletionStage<Done> NOTHING_TO_TAKE =
      CompletableFuture.completedFuture(Done.getInstance());

  private final Lsn lsn;
  private final boolean unitEnd;
  private final AckTarget target;

  public CommittableOffsetImpl(Lsn lsn, boolean unitEnd, AckTarget target) {
    this.lsn = Objects.requireNonNull(lsn);
    this.unitEnd = unitEnd;
    this.target = Objects.requireNonNull(target);
  }

  /** An offset that acknowledges nothing when committed (Begin, change, RESYNC_REQUIRED). */
  static CommittableOffsetImpl notAUnitEnd(Lsn lsn) {
    return new CommittableOffsetImpl(lsn, false, endLsn -> NOTHING_TO_TAKE);
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
    return unitEnd ? target.acknowledge(lsn) : NOTHING_TO_TAKE;
  }

  @Override
  public String toString() {
    return "CommittableOffset(" + lsn + (unitEnd ? ", end" : "") + ")";
  }
}
