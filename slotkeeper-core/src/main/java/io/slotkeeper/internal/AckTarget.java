package io.slotkeeper.internal;

import io.slotkeeper.Lsn;

/** Where a committable offset reports its acknowledgement: the source that delivered it. */
public interface AckTarget {
  /** The unit (transaction or standalone message) ending at {@code endLsn} is durable downstream. */
  void acknowledge(Lsn endLsn);
}
