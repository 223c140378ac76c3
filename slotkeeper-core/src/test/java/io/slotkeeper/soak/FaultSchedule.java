package io.slotkeeper.soak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The order of faults and the pauses between them, from the seed: every kind once per round in a
 * shuffled order, so even a one-minute run meets each kind, and the interleaving with the workload
 * differs from seed to seed.
 */
final class FaultSchedule {
  private final Random random;
  private final List<FaultKind> round = new ArrayList<>();

  FaultSchedule(Random random) {
    this.random = random;
  }

  FaultKind next() {
    if (round.isEmpty()) {
      round.addAll(Arrays.asList(FaultKind.values()));
      Collections.shuffle(round, random);
    }
    return round.remove(0);
  }

  /** Quiet time before the next fault, in milliseconds. */
  long pauseMillis() {
    return 1000 + random.nextInt(3000);
  }

  /** A duration within [min, max] milliseconds. */
  long between(long min, long max) {
    return min + (long) (random.nextDouble() * (max - min));
  }
}
