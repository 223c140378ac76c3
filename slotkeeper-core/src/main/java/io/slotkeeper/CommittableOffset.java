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

  /**
   * For a unit end: the position the slot may be confirmed to once this is acknowledged (the end of
   * the commit record, or of a standalone message's record).
   */
  public Lsn lsn() {
    return lsn;
  }

  /** True for the offset of a Commit, or of a message sent outside a transaction. */
  public boolean isUnitEnd() {
    return unitEnd;
  }

  /**
   * Acknowledges this offset, and with it everything delivered before it (acknowledgement is
   * cumulative, as with a Kafka offset): committing only the last Commit of a batch, or filtering
   * envelopes before committing, acknowledges all that came before. The slot is then confirmed up to
   * here. Safe to call from any thread.
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
