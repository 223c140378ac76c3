package io.slotkeeper;

import io.slotkeeper.internal.AckTarget;
import java.util.Objects;

/**
 * A position the consumer can acknowledge once it has made what it received durable. Only the
 * offset of a transaction's Commit envelope (or of a message sent outside any transaction)
 * acknowledges anything: the slot can only be confirmed at transaction boundaries, so the offsets
 * of Begin and change envelopes are accepted and ignored. That lets a consumer simply commit the
 * offset of every envelope it handled.
 */
public final class CommittableOffset {
  private final Lsn lsn;
  private final boolean unitEnd;
  private final AckTarget target;

  public CommittableOffset(Lsn lsn, boolean unitEnd, AckTarget target) {
    this.lsn = Objects.requireNonNull(lsn);
    this.unitEnd = unitEnd;
    this.target = Objects.requireNonNull(target);
  }

  /** For a unit end: the position the slot may be confirmed to once this is acknowledged. */
  public Lsn lsn() {
    return lsn;
  }

  /** True for the offset of a Commit, or of a message sent outside a transaction. */
  public boolean isUnitEnd() {
    return unitEnd;
  }

  /**
   * Acknowledges this offset. Acknowledgements may come in any order; the slot advances over the
   * longest run of acknowledged transactions in commit order. Safe to call from any thread.
   */
  public void commit() {
    if (unitEnd) {
      target.acknowledge(lsn);
    }
  }

  @Override
  public String toString() {
    return "CommittableOffset(" + lsn + (unitEnd ? ", end" : "") + ")";
  }
}
