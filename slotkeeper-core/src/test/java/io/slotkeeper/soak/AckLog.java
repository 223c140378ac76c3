package io.slotkeeper.soak;

import io.slotkeeper.Lsn;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When the consumer first acknowledged each unit position, on System.nanoTime's clock, over the
 * whole run (every incarnation). The time is taken BEFORE the engine is told, so a confirmed
 * position read later can never be blamed on an acknowledgement that was on its way.
 */
final class AckLog {
  private final Map<Lsn, Long> firstAck = new ConcurrentHashMap<>();

  void acknowledging(Lsn position) {
    firstAck.putIfAbsent(position, System.nanoTime());
  }

  /** Nanos of the first acknowledgement, or null when never acknowledged. */
  Long firstAck(Lsn position) {
    return firstAck.get(position);
  }

  int size() {
    return firstAck.size();
  }
}
