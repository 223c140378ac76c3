package io.slotkeeper.internal.source;

import io.slotkeeper.InternalApi;
import io.slotkeeper.Lsn;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** Where a committable offset reports its acknowledgement: the source that delivered it. */
@InternalApi
public interface AckTarget {
  /**
   * The unit (transaction or standalone message) ending at {@code endLsn} is durable downstream.
   * Completes once the source's ledger has taken it (see {@link
   * io.slotkeeper.CommittableOffset#commit()}).
   */
  CompletionStage<Done> acknowledge(Lsn endLsn);
}
