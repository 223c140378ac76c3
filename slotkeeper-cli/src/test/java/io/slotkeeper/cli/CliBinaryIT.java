package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * `slotkeeper stream --binary` writes the same lines as without it (issue 15): every value of a
 * type with a binary codec printed as the server prints it (an enum's included). A value of a type
 * without one is an object holding its send format (CliJsonTest).
 */
class CliBinaryIT {
  @RegisterExtension
  static final PostgresExtension PG = PostgresExtension.builder().version(16).build();

  private static CliRun cli(String... more) {
    PostgresServer pg = PG.server();
    String[] args =
        Stream.concat(Stream.of(more), Stream.of("--url", pg.jdbcUrl(), "--user", pg.superuser()))
            .toArray(String[]::new);
    return CliRun.run(Map.of("PGPASSWORD", pg.superuserPassword()), args);
  }

  @Test
  void binaryLinesAreTheTextLines() {
    PostgresServer pg = PG.server();
    pg.execute(
        "CREATE TABLE vals (id int PRIMARY KEY, i2 smallint, i8 bigint, n numeric, f4 real,"
            + " f8 double precision, t text, vc varchar(10), c char(4), b bytea, bo boolean,"
            + " d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval, u uuid,"
            + " j json, jb jsonb, ia int[], ta text[], ip inet, net cidr, oi oid)");
    pg.execute("CREATE TYPE mood AS ENUM ('sad', 'happy')");
    pg.execute("CREATE TABLE moods (id int PRIMARY KEY, m mood)");
    pg.execute("CREATE PUBLICATION vals_pub FOR TABLE vals, moods");
    for (String slot : List.of("vals_text", "vals_binary")) {
      assertThat(cli("slot", "create", slot).exitCode).isZero();
    }
    pg.execute(
        "INSERT INTO vals VALUES (1, -32768, 9223372036854775807, 'NaN', 'NaN', '-Infinity',"
            + " 'h\u00e9llo \"q\" \\ ✓', 'v', 'ab', '\\x00ff', true, '4713-01-01 BC',"
            + " '24:00:00', '13:45:30.5+05:30', 'infinity', '2024-02-29 13:45:30.123456+01',"
            + " '1 year 2 mons -3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',"
            + " '{\"b\": 1,  \"a\" : 2}', '{\"b\": 1,  \"a\" : [1, 2.50]}', '[0:2]={7,NULL,9}',"
            + " ARRAY['with space', 'quote\"d', NULL, 'NULL', ''], '::ffff:1.2.3.4',"
            + " '2001:db8::/32', 4294967295)");
    pg.execute(
        "INSERT INTO vals VALUES (2, 0, 0, '-12345678901234567890.000000000000000000001',"
            + " '3.4028235e+38', '5e-324', '', '', '', '\\x', false, '2024-02-29', '00:00:00',"
            + " '00:00:00+00', '2000-01-01 00:00:00', '-infinity', '0', NULL, 'null', '[]', '{}',"
            + " '{}', '10.0.0.1', '0.0.0.0/0', 0)");
    pg.execute("INSERT INTO vals (id) VALUES (3)");
    pg.execute("INSERT INTO moods VALUES (1, 'happy')");
    String end = pg.queryString("SELECT pg_current_wal_lsn()::text");

    CliRun text =
        cli(
            "stream",
            "--slot",
            "vals_text",
            "--publication",
            "vals_pub",
            "--binary=off",
            "--end-lsn",
            end);
    CliRun binary =
        cli(
            "stream",
            "--slot",
            "vals_binary",
            "--publication",
            "vals_pub",
            "--binary",
            "--end-lsn",
            end);
    assertThat(text.exitCode).as(text.toString()).isZero();
    assertThat(binary.exitCode).as(binary.toString()).isZero();
    List<String> textLines = text.outLines();
    List<String> binaryLines = binary.outLines();
    assertThat(textLines).hasSize(4);
    assertThat(binaryLines).hasSize(4);
    // The lines are identical but for the LSNs, xids and commit times of their own slots'
    // transactions, which are the same transactions: identical outright, the enum's too (the
    // engine reads the catalog's enum, domain and range types at connect).
    assertThat(binaryLines).isEqualTo(textLines);
    assertThat(TestJson.object(textLines.get(3)).get("new"))
        .isEqualTo(Map.of("id", "1", "m", "happy"));
  }
}
