package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12: a 1,000,000-row table snapshots in a 128 MB heap. The consumer ({@link
 * SnapshotHeapMain}) runs in a JVM of its own started with {@code -Xmx128m} on this test's class
 * path; it counts rows and keeps none, so only the source's own holding counts. The rows (an int, a
 * 32-character text, an int) take about 250 MB as Java objects: a source that held the table whole
 * (or a chunk size of the whole table) dies of OutOfMemoryError.
 */
class SnapshotHeapIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final int ROWS = 1_000_000;

  @Test
  void aMillionRowTableSnapshotsIn128Megabytes() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE snap_heap (id int PRIMARY KEY, v text, n int)");
    pg.execute(
        "INSERT INTO snap_heap SELECT g, md5(g::text), g FROM generate_series(1, " + ROWS + ") g");
    pg.execute("ANALYZE snap_heap");
    pg.execute("CREATE PUBLICATION snap_heap_pub FOR TABLE snap_heap");
    try (ChildJvm child =
        ChildJvm.start(
            List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError"),
            SnapshotHeapMain.class,
            pg.jdbcUrl(),
            pg.superuser(),
            pg.superuserPassword(),
            "snap_heap_slot",
            "snap_heap_pub",
            "10000",
            "4",
            Integer.toString(ROWS))) {
      Process p = child.process;
      boolean ended = p.waitFor(5, TimeUnit.MINUTES);
      String tail = child.tail(4000);
      assertThat(ended).as("the consumer JVM ended; its output:%n%s", tail).isTrue();
      assertThat(p.exitValue()).as("exit code; output:%n%s", tail).isZero();
      assertThat(child.output()).contains("snapshot rows: " + ROWS + " ");
    }
  }
}
