package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slotkeeper cluster}: two program nodes (in this JVM, through the program's entry point)
 * form one cluster and stream three sources, one database each, under a write load. The cluster
 * view at {@code /status} of EITHER node lists every source with the node hosting it, level ACTIVE,
 * its positions past what was written and acknowledged, and the summary per level; the page at
 * {@code /} shows the same in a real headless Chromium (screenshot in {@code
 * target/cluster-page.png}). Every row written reaches its source's file, with its source's id.
 */
class ClusterCommandIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final List<String> SOURCES = List.of("alpha", "beta", "gamma");
  private static final String TOKEN = "tok-cluster-7d41a2";
  private static final String ROLE = "cluster_repl";
  private static final String PASSWORD = "pw-cluster-e93f0c";

  /** Timings for 2 busy cores (as slotkeeper-cluster's ShardedNodes), two nodes in one JVM. */
  private static final String NODE_CONFIG =
      String.join(
          "\n",
          "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
          "pekko.cluster.split-brain-resolver.stable-after = 2s",
          "pekko.cluster.gossip-interval = 500ms",
          "pekko.cluster.leader-actions-interval = 500ms",
          "pekko.cluster.sharding.rebalance-interval = 2s",
          "pekko.cluster.sharding.entity-restart-backoff = 1s",
          "pekko.cluster.sharding.retry-interval = 500ms",
          "pekko.cluster.sharding.coordinator-failure-backoff = 1s",
          "pekko.cluster.sharding.updating-state-timeout = 5s",
          "pekko.cluster.sharding.waiting-for-state-timeout = 5s",
          "slotkeeper.cluster.restart.min-backoff = 500ms");

  @TempDir Path dir;

  @Test
  void eitherNodeShowsEverySourceWithItsNodeLevelPositionsAndTheSummary() throws Exception {
    Chromium chromium = Chromium.require();
    PostgresServer pg = PG.server();
    // A role of its own, so that its password is one no other text contains.
    pg.createRole(ROLE, PASSWORD, true);
    StringBuilder sources = new StringBuilder("sources {\n");
    for (String id : SOURCES) {
      pg.createDatabase("db_" + id);
      pg.execute("db_" + id, "CREATE TABLE rows_" + id + " (id int PRIMARY KEY, v text)");
      pg.execute("db_" + id, "CREATE PUBLICATION " + id + "_pub FOR TABLE rows_" + id);
      pg.execute("db_" + id, "GRANT SELECT ON rows_" + id + " TO " + ROLE);
      sources
          .append("  ")
          .append(id)
          .append(" { url = \"")
          .append(pg.jdbcUrl("db_" + id))
          .append("\", slot-name = ")
          .append(id)
          .append("_slot, publications = [")
          .append(id)
          .append("_pub] }\n");
    }
    Path sourcesFile = Files.writeString(dir.resolve("sources.conf"), sources.append("}\n"));
    Path configFile = Files.writeString(dir.resolve("node.conf"), NODE_CONFIG);
    Path out = Files.createDirectories(dir.resolve("out"));

    int nodeA = CliHttp.freePort();
    int nodeB = CliHttp.freePort();
    int httpA = CliHttp.freePort();
    int httpB = CliHttp.freePort();
    String addressA = "pekko://slotkeeper@127.0.0.1:" + nodeA;
    String addressB = "pekko://slotkeeper@127.0.0.1:" + nodeB;
    CliRun.Background a =
        node(pg, Map.of(), nodeA, httpA, nodeA, sourcesFile, configFile, out, "a");
    // Node B serves its view only with a token: the same --http options as `stream`.
    CliRun.Background b =
        node(
            pg,
            Map.of(HttpToken.ENV, TOKEN),
            nodeB,
            httpB,
            nodeA,
            sourcesFile,
            configFile,
            out,
            "b");
    String baseA = "http://127.0.0.1:" + httpA;
    String baseB = "http://127.0.0.1:" + httpB;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    AtomicBoolean writing = new AtomicBoolean(true);
    Map<String, AtomicInteger> written = new HashMap<>();
    SOURCES.forEach(id -> written.put(id, new AtomicInteger()));
    Thread load =
        new Thread(
            () -> {
              while (writing.get()) {
                for (String id : SOURCES) {
                  int n = written.get(id).get();
                  pg.execute(
                      "db_" + id,
                      "INSERT INTO rows_"
                          + id
                          + " SELECT g, 'v' || g FROM generate_series("
                          + (n + 1)
                          + ", "
                          + (n + 20)
                          + ") g");
                  written.get(id).addAndGet(20);
                }
                sleep(100);
              }
            },
            "write-load");
    try {
      CliHttp.await(() -> CliHttp.get(http, baseA + "/ready", null).statusCode() == 200, a);
      CliHttp.await(() -> CliHttp.get(http, baseB + "/ready", null).statusCode() == 200, b);
      // Rows count from when every slot exists (a source creates its slot when it first starts).
      CliHttp.await(() -> allActive(view(http, baseA, null)), a, b);
      load.start();
      // Both nodes Up, every source ACTIVE, the load spread over both nodes (sharding rebalances
      // sources to the node that joined), and both views agree on who hosts what.
      java.util.concurrent.atomic.AtomicReference<String> lastSeen =
          new java.util.concurrent.atomic.AtomicReference<>("nothing yet");
      try {
        CliHttp.await(
            () -> {
              Map<String, Object> va = view(http, baseA, null);
              Map<String, Object> vb = view(http, baseB, "Bearer " + TOKEN);
              lastSeen.set("A: " + va + "\nB: " + vb);
              return allActive(va)
                  && hosts(va).equals(hosts(vb))
                  && new HashSet<>(hosts(va).values()).size() == 2;
            },
            a,
            b);
      } catch (AssertionError e) {
        throw new AssertionError("last views:\n" + lastSeen.get(), e);
      }
      sleep(1000);
      writing.set(false);
      load.join(30_000);

      // Every row written reaches its source's file; the last commit's LSN is where the views'
      // confirmed positions must be past.
      Map<String, Lsn> lastCommit = new HashMap<>();
      for (String id : SOURCES) {
        try {
          CliHttp.await(() -> rowIds(out, id).size() == written.get(id).get(), a, b);
        } catch (AssertionError e) {
          throw new AssertionError(
              id + ": " + rowIds(out, id).size() + " of " + written.get(id).get() + " rows", e);
        }
        lastCommit.put(id, lastCommitLsn(out, id));
      }
      CliHttp.await(
          () -> {
            for (String base : List.of(baseA, baseB)) {
              Map<String, Object> v = view(http, base, "Bearer " + TOKEN);
              for (Map<String, Object> s : sources(v)) {
                Lsn confirmed = Lsn.parse((String) s.get("confirmed_lsn"));
                if (!confirmed.isAfter(lastCommit.get((String) s.get("id")))) {
                  return false;
                }
              }
            }
            return true;
          },
          a,
          b);

      for (String base : List.of(baseA, baseB)) {
        Map<String, Object> v = view(http, base, "Bearer " + TOKEN);
        assertThat(v.get("node")).isEqualTo(base.equals(baseA) ? addressA : addressB);
        assertThat(members(v)).containsExactlyInAnyOrder(addressA, addressB);
        List<Map<String, Object>> listed = sources(v);
        assertThat(listed).extracting(s -> s.get("id")).containsExactlyElementsOf(SOURCES);
        for (Map<String, Object> s : listed) {
          String id = (String) s.get("id");
          assertThat(s)
              .as(base + " " + id)
              .containsEntry("slot", id + "_slot")
              .containsEntry("level", "ACTIVE");
          assertThat((String) s.get("node")).isIn(addressA, addressB);
          Lsn confirmed = Lsn.parse((String) s.get("confirmed_lsn"));
          Lsn received = Lsn.parse((String) s.get("received_lsn"));
          assertThat(confirmed).as(id).isGreaterThan(lastCommit.get(id));
          assertThat(received).as(id).isGreaterThanOrEqualTo(confirmed);
          assertThat(((Number) s.get("lag_bytes")).longValue())
              .isEqualTo(received.minus(confirmed));
          assertThat(((Number) s.get("acknowledged_transactions")).longValue()).isPositive();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) v.get("summary");
        assertThat(summary)
            .containsEntry("sources", 3L)
            .containsEntry("answered", 3L)
            .containsEntry("unanswered", 0L)
            .containsEntry("all_active", true)
            .containsEntry("text", "3 sources: ACTIVE 3");
        assertThat(summary.get("by_level"))
            .isEqualTo(
                Map.of("STOPPED", 0L, "STARTING", 0L, "READY", 0L, "ACTIVE", 3L, "FAILED", 0L));
      }
      // Both nodes answer alike about where each source runs.
      assertThat(hosts(view(http, baseA, null)))
          .isEqualTo(hosts(view(http, baseB, "Bearer " + TOKEN)));

      // Node B's token guards its data as `stream`'s does; the page itself is open.
      assertThat(CliHttp.get(http, baseB + "/status", null).statusCode()).isEqualTo(401);
      assertThat(CliHttp.get(http, baseB + "/", null).statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = CliHttp.get(http, baseA + "/metrics", null);
      assertThat(metrics.body())
          .contains("slotkeeper_cluster_sources{level=\"ACTIVE\"} 3")
          .contains("slotkeeper_cluster_source_lag_bytes{source=\"alpha\",node=");
      assertThat(CliHttp.get(http, baseA + "/status", null).body()).doesNotContain(PASSWORD);

      // The page, in a real browser, from either node.
      String domA = chromium.dumpDom(baseA + "/", 6000);
      String domB = chromium.dumpDom(baseB + "/#token=" + TOKEN, 6000);
      for (String dom : List.of(domA, domB)) {
        assertThat(dom).containsPattern("id=\"count-ACTIVE\"[^>]*>3<");
        assertThat(dom).contains("3 sources: ACTIVE 3");
        for (String id : SOURCES) {
          assertThat(dom).contains("id=\"source-" + id + "\"");
        }
        assertThat(dom).contains("127.0.0.1:" + nodeA, "127.0.0.1:" + nodeB);
        assertThat(dom).doesNotContain("id=\"auth\" class=\"card shown\"");
      }
      String locked = chromium.dumpDom(baseB + "/", 4000);
      assertThat(locked).contains("id=\"auth\" class=\"card shown\"");
      assertThat(locked).doesNotContain("id=\"source-alpha\"");
      chromium.screenshot(baseA + "/", Path.of("target", "cluster-page.png"), 6000);
    } finally {
      writing.set(false);
      b.cli.requestStop("test");
      a.cli.requestStop("test");
      assertThat(b.exit.get(60, TimeUnit.SECONDS)).as(b.err()).isZero();
      assertThat(a.exit.get(60, TimeUnit.SECONDS)).as(a.err()).isZero();
    }
    // No password in what the program printed.
    assertThat(a.err() + b.err() + a.out + b.out).doesNotContain(PASSWORD);
  }

  /**
   * The file is the set of sources: a node started again (its registry kept on disk in --state-dir)
   * with a source left out of the file removes it, and leaves its slot.
   */
  @Test
  void aSourceLeftOutOfTheFileIsRemovedWhenTheNodeStartsAgain() throws Exception {
    PostgresServer pg = PG.server();
    pg.createDatabase("db_keep");
    pg.createDatabase("db_drop");
    for (String id : List.of("keep", "drop")) {
      pg.execute("db_" + id, "CREATE TABLE t (id int PRIMARY KEY)");
      pg.execute("db_" + id, "CREATE PUBLICATION " + id + "_pub FOR TABLE t");
    }
    String keep =
        "  keep { url = \""
            + pg.jdbcUrl("db_keep")
            + "\", slot-name = keep_slot, publications = [keep_pub] }\n";
    String drop =
        "  drop { url = \""
            + pg.jdbcUrl("db_drop")
            + "\", slot-name = drop_slot, publications = [drop_pub] }\n";
    Path both = Files.writeString(dir.resolve("both.conf"), "sources {\n" + keep + drop + "}\n");
    Path one = Files.writeString(dir.resolve("one.conf"), "sources {\n" + keep + "}\n");
    Path configFile = Files.writeString(dir.resolve("node.conf"), NODE_CONFIG);
    Path out = Files.createDirectories(dir.resolve("out"));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    int port = CliHttp.freePort();
    int httpPort = CliHttp.freePort();
    String base = "http://127.0.0.1:" + httpPort;
    CliRun.Background first = superuserNode(pg, port, httpPort, both, configFile, out, "restart");
    try {
      CliHttp.await(
          () -> {
            Map<String, Object> v = view(http, base, null);
            return allActive(v, 2);
          },
          first);
    } finally {
      first.cli.requestStop("test");
      assertThat(first.exit.get(60, TimeUnit.SECONDS)).as(first.err()).isZero();
    }

    // The same node (address and state directory) with one source fewer.
    CliRun.Background second = superuserNode(pg, port, httpPort, one, configFile, out, "restart");
    try {
      CliHttp.await(
          () -> second.err().contains("source drop is no longer listed in " + one), second);
      CliHttp.await(
          () -> {
            Map<String, Object> v = view(http, base, null);
            return allActive(v, 1) && sources(v).get(0).get("id").equals("keep");
          },
          second);
    } finally {
      second.cli.requestStop("test");
      assertThat(second.exit.get(60, TimeUnit.SECONDS)).as(second.err()).isZero();
    }
    assertThat(second.err()).contains("removed (its slot stays)");
    assertThat(
            pg.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'drop_slot'"))
        .isEqualTo(1);
  }

  private CliRun.Background superuserNode(
      PostgresServer pg,
      int port,
      int httpPort,
      Path sourcesFile,
      Path configFile,
      Path out,
      String name) {
    return new CliRun.Background(
        Map.of("PGPASSWORD", pg.superuserPassword()),
        "cluster",
        "--node",
        "127.0.0.1:" + port,
        "--sources",
        sourcesFile.toString(),
        "--config",
        configFile.toString(),
        "--user",
        pg.superuser(),
        "--create-slot",
        "--state-dir",
        dir.resolve("state-" + name).toString(),
        "--output-dir",
        out.toString(),
        "--http",
        String.valueOf(httpPort));
  }

  private CliRun.Background node(
      PostgresServer pg,
      Map<String, String> env,
      int port,
      int httpPort,
      int seedPort,
      Path sourcesFile,
      Path configFile,
      Path out,
      String name) {
    Map<String, String> all = new HashMap<>(env);
    all.put("PGPASSWORD", PASSWORD);
    return new CliRun.Background(
        all,
        "cluster",
        "--node",
        "127.0.0.1:" + port,
        "--seed",
        "127.0.0.1:" + seedPort,
        "--sources",
        sourcesFile.toString(),
        "--config",
        configFile.toString(),
        "--user",
        ROLE,
        "--create-slot",
        "--state-dir",
        dir.resolve("state-" + name).toString(),
        "--output-dir",
        out.toString(),
        "--http",
        String.valueOf(httpPort));
  }

  private static Map<String, Object> view(HttpClient http, String base, String auth) {
    HttpResponse<String> r = CliHttp.get(http, base + "/status", auth);
    if (r.statusCode() != 200) {
      throw new IllegalStateException(base + "/status: " + r.statusCode() + " " + r.body());
    }
    return TestJson.object(r.body().trim());
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> sources(Map<String, Object> view) {
    return (List<Map<String, Object>>) view.get("sources");
  }

  @SuppressWarnings("unchecked")
  private static List<String> members(Map<String, Object> view) {
    List<String> out = new ArrayList<>();
    for (Object m : (List<Object>) view.get("members")) {
      Map<String, Object> mm = (Map<String, Object>) m;
      if ("Up".equals(mm.get("status"))) {
        out.add((String) mm.get("address"));
      }
    }
    return out;
  }

  private static boolean allActive(Map<String, Object> view) {
    return allActive(view, SOURCES.size());
  }

  private static boolean allActive(Map<String, Object> view, int n) {
    List<Map<String, Object>> s = sources(view);
    return s.size() == n
        && ((List<?>) view.get("unanswered")).isEmpty()
        && s.stream().allMatch(x -> "ACTIVE".equals(x.get("level")));
  }

  private static Map<String, String> hosts(Map<String, Object> view) {
    Map<String, String> out = new HashMap<>();
    sources(view).forEach(s -> out.put((String) s.get("id"), (String) s.get("node")));
    return out;
  }

  private static List<Map<String, Object>> lines(Path out, String id) {
    Path f = out.resolve(id + ".jsonl");
    if (!Files.exists(f)) {
      return List.of();
    }
    try {
      List<Map<String, Object>> l = new ArrayList<>();
      for (String line : Files.readAllLines(f)) {
        if (!line.isBlank()) {
          Map<String, Object> j = TestJson.object(line);
          assertThat(j).containsEntry("source", id);
          l.add(j);
        }
      }
      return l;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The distinct row ids in a source's file (a move may repeat what was not yet acknowledged). */
  @SuppressWarnings("unchecked")
  private static Set<Object> rowIds(Path out, String id) {
    Set<Object> ids = new HashSet<>();
    for (Map<String, Object> l : lines(out, id)) {
      if ("insert".equals(l.get("op"))) {
        ids.add(((Map<String, Object>) l.get("new")).get("id"));
      }
    }
    return ids;
  }

  private static Lsn lastCommitLsn(Path out, String id) {
    Lsn max = Lsn.INVALID;
    for (Map<String, Object> l : lines(out, id)) {
      max = Lsn.max(max, Lsn.parse((String) l.get("commit_lsn")));
    }
    return max;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
