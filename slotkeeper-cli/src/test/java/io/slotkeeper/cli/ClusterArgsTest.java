package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slotkeeper cluster}'s input, before any node starts: the sources file, the addresses, and
 * what the node's actor system is given. Bad input is one line naming the fix, exit 2.
 */
class ClusterArgsTest {
  @TempDir Path dir;

  private static final String URL = "jdbc:postgresql://db1:5432/shop";

  private static void assertUsageError(CliRun r, String... contains) {
    assertThat(r.exitCode).as(r.toString()).isEqualTo(2);
    assertThat(r.errLines()).as(r.toString()).hasSize(1);
    assertThat(r.err).startsWith("slotkeeper: ").contains("Fix: ").contains(contains);
    assertThat(r.out).isEmpty();
  }

  private Path sources(String text) throws Exception {
    return Files.writeString(dir.resolve("sources-" + text.hashCode() + ".conf"), text);
  }

  private static Config nodeSource() {
    return ConfigFactory.parseString("user = repl");
  }

  @Test
  void theEntriesAreReadByIdWithTheNodesSectionFillingIn() throws Exception {
    Map<String, Config> entries =
        ClusterSourcesFile.load(
            sources(
                "sources {\n"
                    + "  orders { url = \""
                    + URL
                    + "\", slot-name = orders, publications = [orders_pub] }\n"
                    + "  \"tenant-42.eu\" { url = \""
                    + URL
                    + "\", slot-name = t42, publications = [t42], batch-size = 100 }\n"
                    + "}\n"),
            nodeSource());
    assertThat(entries.keySet()).containsExactly("orders", "tenant-42.eu");
    assertThat(entries.get("tenant-42.eu").getInt("batch-size")).isEqualTo(100);
    // Only what the file says: the node's own section is not copied into the registry.
    assertThat(entries.get("orders").hasPath("user")).isFalse();
  }

  @Test
  void anEntryWithAPasswordIsRefusedWithoutShowingIt() throws Exception {
    Path f =
        sources(
            "sources { a { url = \""
                + URL
                + "\", slot-name = a, publications = [a], password = \"s3cret-9\" } }");
    CliRun r = CliRun.run("cluster", "--sources", f.toString());
    assertUsageError(r, "source a in " + f + " names a password", "PGPASSWORD");
    assertThat(r.err).doesNotContain("s3cret-9");
  }

  @Test
  void badEntriesNameTheSourceAndTheFix() throws Exception {
    assertUsageError(
        CliRun.run("cluster", "--sources", dir.resolve("missing.conf").toString()),
        "does not exist");
    assertUsageError(
        CliRun.run("cluster", "--sources", sources("other { }").toString()),
        "has no sources { ... } section");
    assertUsageError(
        CliRun.run("cluster", "--sources", sources("sources { }").toString()), "lists no sources");
    assertUsageError(
        CliRun.run(
            "cluster",
            "--sources",
            sources("sources { \"a b\" { url = \"" + URL + "\", slot-name = a } }").toString()),
        "source id 'a b'",
        "letters, digits");
    // A typo is refused with the closest key, as in --config.
    CliRun typo =
        CliRun.run(
            "cluster",
            "--sources",
            sources(
                    "sources { a { url = \""
                        + URL
                        + "\", slot-name = a, publications = [a], slot-nme = b } }")
                .toString());
    assertThat(typo.exitCode).as(typo.toString()).isEqualTo(2);
    assertThat(typo.err).contains("source a in ", "slot-nme").hasLineCount(1);
    // No slot: the entry is not usable.
    CliRun noSlot =
        CliRun.run(
            "cluster",
            "--sources",
            sources("sources { a { url = \"" + URL + "\", publications = [a] } }").toString());
    assertThat(noSlot.exitCode).as(noSlot.toString()).isEqualTo(2);
    assertThat(noSlot.err).contains("source a in ", "slot");
  }

  @Test
  void sourcesAreRequired() {
    CliRun r = CliRun.run("cluster");
    assertThat(r.exitCode).as(r.toString()).isEqualTo(2);
    assertThat(r.err).contains("--sources");
  }

  @Test
  void addressesAreHostAndPortOrABarePort() throws Exception {
    assertThat(ClusterCommand.address("10.0.0.5:7355", "--node"))
        .isEqualTo(InetSocketAddress.createUnresolved("10.0.0.5", 7355));
    assertThat(ClusterCommand.address("7356", "--node"))
        .isEqualTo(InetSocketAddress.createUnresolved("127.0.0.1", 7356));
    Path f = sources("sources { a { url = \"" + URL + "\", slot-name = a, publications = [a] } }");
    for (String bad : List.of("host:", "host:x", "0.0.0.0:7355", "h:70000")) {
      assertUsageError(
          CliRun.run("cluster", "--sources", f.toString(), "--seed", bad),
          "malformed --seed address '" + bad + "'",
          "the other nodes reach");
    }
  }

  @Test
  void withoutTheOpensLmdbNeedsTheProgramSaysSoBeforeStarting() throws Exception {
    // Surefire runs this module's unit tests without the opens (only Failsafe's ITs get them).
    org.junit.jupiter.api.Assumptions.assumeFalse(
        Object.class.getModule().isOpen("java.nio", ClusterCommand.class.getModule()),
        "this JVM opens java.nio");
    Path f = sources("sources { a { url = \"" + URL + "\", slot-name = a, publications = [a] } }");
    CliRun r =
        CliRun.run(
            "cluster",
            "--sources",
            f.toString(),
            "--node",
            String.valueOf(CliHttp.freePort()),
            "--state-dir",
            dir.resolve("state").toString());
    assertThat(r.exitCode).as(r.toString()).isEqualTo(1);
    assertThat(r.errLines()).as(r.toString()).hasSize(1);
    assertThat(r.err)
        .contains("does not open java.nio and sun.nio.ch")
        .contains("java -jar")
        .contains(ClusterCommand.LMDB_OPENS);
    // With the registry configured not durable, no opens are needed.
    ClusterCommand.requireLmdbOpens(
        ConfigFactory.parseString("pekko.cluster.distributed-data.durable.keys = []"),
        ClusterCommand.class.getModule());
  }

  @Test
  void theNodeIsGivenItsAddressItsSeedsAndItsStateDirectory() {
    InetSocketAddress self = InetSocketAddress.createUnresolved("10.0.0.5", 7355);
    Config alone = ClusterCommand.nodeConfig(self, List.of(), null);
    assertThat(alone.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("10.0.0.5");
    assertThat(alone.getInt("pekko.remote.artery.canonical.port")).isEqualTo(7355);
    // Without seeds a node forms a cluster of its own.
    assertThat(alone.getStringList("pekko.cluster.seed-nodes"))
        .containsExactly("pekko://slotkeeper@10.0.0.5:7355");
    assertThat(alone.hasPath("pekko.cluster.distributed-data.durable.lmdb.dir")).isFalse();

    Config joined =
        ClusterCommand.nodeConfig(
            self,
            List.of(
                InetSocketAddress.createUnresolved("10.0.0.6", 7355),
                InetSocketAddress.createUnresolved("::1", 7400)),
            dir.resolve("state"));
    assertThat(joined.getStringList("pekko.cluster.seed-nodes"))
        .containsExactly("pekko://slotkeeper@10.0.0.6:7355", "pekko://slotkeeper@[::1]:7400");
    assertThat(joined.getString("pekko.cluster.distributed-data.durable.lmdb.dir"))
        .isEqualTo(dir.resolve("state").toAbsolutePath().toString());
  }
}
