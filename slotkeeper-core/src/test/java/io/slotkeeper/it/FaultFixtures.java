package io.slotkeeper.it;

import io.slotkeeper.postgres.PostgresServer;
import java.util.ArrayList;
import java.util.List;

/** Tables, publication and slot for one fault scenario. */
final class FaultFixtures {
  private FaultFixtures() {}

  /**
   * Creates {@code count} tables named {@code prefix_tN}, a publication for them and a slot;
   * returns the tables.
   */
  static List<String> create(PostgresServer pg, String prefix, int count) {
    List<String> tables = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String t = prefix + "_t" + i;
      pg.execute("CREATE TABLE " + t + " (id text PRIMARY KEY, at timestamptz DEFAULT now())");
      tables.add(t);
    }
    pg.execute("CREATE PUBLICATION " + prefix + "_pub FOR TABLE " + String.join(", ", tables));
    pg.execute("SELECT pg_create_logical_replication_slot('" + prefix + "_slot', 'pgoutput')");
    return tables;
  }
}
