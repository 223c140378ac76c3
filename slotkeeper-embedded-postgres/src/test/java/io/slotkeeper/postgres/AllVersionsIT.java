package io.slotkeeper.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every shipped major version starts and decodes pgoutput; the rest of the suite runs on the
 * default one.
 */
class AllVersionsIT {

  @ParameterizedTest(name = "PostgreSQL {0}")
  @ValueSource(ints = {13, 14, 15, 16, 17, 18})
  void startsAndStreamsPgoutput(int major) {
    try (PostgresServer pg = PostgresServer.builder().version(major).start()) {
      assertThat(pg.version()).isEqualTo(major);
      assertThat(pg.queryLong("SHOW server_version_num") / 10000).isEqualTo(major);
      assertThat(pg.queryString("SHOW wal_level")).isEqualTo("logical");

      pg.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
      pg.execute("CREATE PUBLICATION p FOR TABLE t");
      pg.execute("SELECT pg_create_logical_replication_slot('s', 'pgoutput')");
      pg.execute("INSERT INTO t VALUES (1, 'one')");

      String options = "'proto_version', '1', 'publication_names', 'p'";
      // The first byte of a pgoutput message is its type: Begin, Relation, Insert, Commit.
      assertThat(
              pg.queryColumn(
                  "SELECT chr(get_byte(data, 0)) FROM pg_logical_slot_peek_binary_changes("
                      + "'s', NULL, NULL, "
                      + options
                      + ")"))
          .containsExactly("B", "R", "I", "C");
      assertThat(
              pg.queryLong(
                  "SELECT count(*) FROM pg_logical_slot_get_binary_changes('s', NULL, NULL, "
                      + options
                      + ")"))
          .isEqualTo(4);
      // get (unlike peek) consumed them
      assertThat(
              pg.queryLong(
                  "SELECT count(*) FROM pg_logical_slot_get_binary_changes('s', NULL, NULL, "
                      + options
                      + ")"))
          .isZero();
    }
  }
}
