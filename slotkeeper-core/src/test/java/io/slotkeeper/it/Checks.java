package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.testkit.WriteLoad;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Delivery guarantees as assertions. */
final class Checks {
  private Checks() {}

  /** Every committed row arrived, none twice, none that was never written. */
  static void exactlyOnce(List<String> delivered, WriteLoad load) {
    Set<String> seen = new HashSet<>();
    Set<String> duplicates = new HashSet<>();
    for (String id : delivered) {
      if (!seen.add(id)) {
        duplicates.add(id);
      }
    }
    assertThat(duplicates).as("rows delivered twice").isEmpty();
    Set<String> missing = new HashSet<>(load.committed());
    missing.removeAll(seen);
    assertThat(missing)
        .as("committed rows never delivered (of %d committed)", load.committed().size())
        .isEmpty();
    Set<String> unknown = new HashSet<>(seen);
    unknown.removeAll(load.committed());
    unknown.removeAll(load.uncertain());
    assertThat(unknown).as("delivered rows that were never written").isEmpty();
  }
}
