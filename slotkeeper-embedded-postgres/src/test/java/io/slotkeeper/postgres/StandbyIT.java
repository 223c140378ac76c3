package io.slotkeeper.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A streaming standby built from the bundled binaries (low-level backup API, no pg_basebackup)
 * replicates, cascades, and promotes to a writable server on the next timeline. One primary and its
 * two standbys per version: 13/14 take the old backup functions, 15+ the renamed ones.
 */
class StandbyIT {

  @ParameterizedTest(name = "PostgreSQL {0}")
  // 13 for the old backup functions, 15+ for the renamed ones; 14, 16 passed too (kept out for CI
  // time).
  @ValueSource(ints = {13, 15, 17, 18})
  void standbyReplicatesCascadesAndPromotes(int major) {
    try (PostgresServer primary = PostgresServer.builder().version(major).start()) {
      primary.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
      primary.execute("INSERT INTO t VALUES (1, 'before the backup')");

      try (PostgresServer standby = primary.startStandby(Map.of("hot_standby_feedback", "on"))) {
        assertThat(standby.port()).isNotEqualTo(primary.port());
        assertThat(standby.isInRecovery()).isTrue();
        assertThat(primary.isInRecovery()).isFalse();
        assertThat(standby.systemIdentifier()).isEqualTo(primary.systemIdentifier());
        assertThat(standby.queryString("SHOW hot_standby_feedback")).isEqualTo("on");
        assertThat(standby.queryString("SELECT v FROM t WHERE id = 1"))
            .isEqualTo("before the backup");
        // Streaming from its own physical slot on the primary.
        assertThat(
                primary.queryLong(
                    "SELECT count(*) FROM pg_replication_slots WHERE slot_type = 'physical'"
                        + " AND active"))
            .isEqualTo(1);

        primary.execute("INSERT INTO t VALUES (2, 'after the backup')");
        standby.waitForReplay(primary.currentLsn(), Duration.ofSeconds(10));
        assertThat(standby.queryString("SELECT v FROM t WHERE id = 2"))
            .isEqualTo("after the backup");
        assertThatThrownBy(() -> standby.execute("INSERT INTO t VALUES (9, 'no')"))
            .hasMessageContaining("read-only");

        try (PostgresServer cascade = standby.startStandby()) {
          assertThat(cascade.upstream()).isSameAs(standby);
          primary.execute("INSERT INTO t VALUES (3, 'through the cascade')");
          cascade.waitForReplay(primary.currentLsn(), Duration.ofSeconds(10));
          assertThat(cascade.queryString("SELECT v FROM t WHERE id = 3"))
              .isEqualTo("through the cascade");
          assertThat(
                  standby.queryLong(
                      "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"))
              .isEqualTo(1);
        }
        // Closing the cascade dropped its slot on the standby, which would otherwise hold WAL.
        assertThat(standby.queryLong("SELECT count(*) FROM pg_replication_slots")).isZero();

        int timeline = primary.timeline();
        primary.stop(StopMode.IMMEDIATE);
        standby.promote();
        assertThat(standby.isInRecovery()).isFalse();
        assertThat(standby.timeline()).isEqualTo(timeline + 1);
        standby.execute("INSERT INTO t VALUES (4, 'on the promoted standby')");
        assertThat(standby.queryLong("SELECT count(*) FROM t")).isEqualTo(4);
      }
    }
  }
}
