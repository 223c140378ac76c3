package io.slotkeeper.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.cluster.ShardedSources;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Runs one node of a Pekko cluster that streams many sources (slots) between its nodes: each"
          + " source runs on one node at a time and moves, draining first, when nodes join, leave"
          + " or crash.",
      "The --sources file is the set of sources (give every node the same file): at start the node"
          + " adds what it lists and removes what it no longer lists (their slots stay). Each"
          + " source's changes are stream's JSON Lines with a \"source\" field first, to stdout or"
          + " --output-dir DIR/ID.jsonl; a transaction is acknowledged once its lines are flushed.",
      "--http serves the cluster view from any node: GET / (a page), /status (every source's node,"
          + " level, reason, confirmed/received LSN and lag; a summary per level), /metrics, /ready"
          + " (200 while this node is Up) and /live. SIGTERM or Ctrl-C leaves the cluster: this"
          + " node's sources drain and move to the others."
    },
    footer = {
      "",
      "Example (two nodes; the first seed forms the cluster):",
      "  export PGPASSWORD=secret",
      "  slotkeeper cluster --node 10.0.0.5:7355 --seed 10.0.0.5:7355 --seed 10.0.0.6:7355 \\",
      "      --sources sources.conf --user repl --output-dir /var/lib/changes --http 0.0.0.0:8080",
      "sources.conf:",
      "  sources {",
      "    orders  { url = \"jdbc:postgresql://db1:5432/shop\", slot-name = orders,"
          + " publications = [orders_pub] }",
      "    billing { url = \"jdbc:postgresql://db2:5432/bill\", slot-name = billing,"
          + " publications = [bill_pub] }",
      "  }",
      "The registry of sources is kept on disk (--state-dir); the JVM needs --add-opens"
          + " java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED (the jar's"
          + " manifest and bin/slotkeeper give them)."
    })
final class ClusterCommand implements Callable<Integer> {
  /** The actor system's name ({@link Engine}): part of every node's address. */
  static final String SYSTEM_NAME = "slotkeeper";

  private static final Duration LEAVE_TIMEOUT = Duration.ofSeconds(30);

  private final Io io;

  @Mixin CommonOptions common;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "HOCON file: slotkeeper.source { ... } with what every source shares (user,"
              + " password, connection-properties, ...), slotkeeper.cluster and"
              + " slotkeeper.sharded-sources settings, pekko.cluster tuning, slotkeeper.cli { http"
              + " ... }; flags override it.")
  Path config;

  @Option(
      names = "--sources",
      paramLabel = "FILE",
      required = true,
      description =
          "HOCON file listing the sources: sources { ID { url = ..., slot-name = ...,"
              + " publications = [...] } }, each entry shaped like slotkeeper.source; no password"
              + " (it is replicated to every node and kept on disk).")
  Path sources;

  @Option(
      names = "--node",
      paramLabel = "HOST:PORT",
      description =
          "This node's cluster address: HOST as the other nodes reach it; a bare PORT means"
              + " 127.0.0.1. Default 127.0.0.1:7355.")
  String node = "127.0.0.1:7355";

  @Option(
      names = "--seed",
      paramLabel = "HOST:PORT",
      description =
          "A seed node's cluster address; repeatable, the same list on every node. A node joins"
              + " the first seed that answers; the first seed, started alone, forms the cluster."
              + " Default: this node alone.")
  List<String> seeds = new ArrayList<>();

  @Option(
      names = "--user",
      paramLabel = "ROLE",
      description =
          "Role every source connects as unless its entry names one (default: the --config file's"
              + " user, else PGUSER, else your login name). The password comes from PGPASSWORD or"
              + " the --config file.")
  String user;

  @Option(
      names = "--create-slot",
      description = "Create each source's slot if it does not exist (it then streams from now on).")
  boolean createSlot;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Directory of this node's copy of the registry of sources (LMDB), one per node. Default:"
              + " ddata-slotkeeper-ddataReplicator-PORT in the working directory.")
  Path stateDir;

  @Option(
      names = "--output-dir",
      paramLabel = "DIR",
      description =
          "Append each source's lines to DIR/ID.jsonl (fsync'ed before acknowledging) instead of"
              + " writing all of them to stdout. Use a directory every node can reach (a source"
              + " moves between nodes) or collect the files of every node.")
  Path outputDir;

  @Option(names = "--with-tx", description = "Also write begin and commit lines.")
  boolean withTx;

  @Mixin HttpOptions httpOptions = new HttpOptions();

  ClusterCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    io.stopHandled = true;
    CliConfig cfg = CliConfig.load(config, io);
    InetSocketAddress self = address(node, "--node");
    List<InetSocketAddress> seedAddresses = new ArrayList<>();
    for (String s : seeds) {
      seedAddresses.add(address(s, "--seed"));
    }
    Config nodeSource = nodeSource(cfg);
    Map<String, Config> wanted =
        ClusterSourcesFile.load(sources, nodeSource.getConfig(SourceSettings.CONFIG_PATH));
    Optional<HttpOptions.Serving> serving = httpOptions.resolve(cfg, io);
    if (outputDir != null && !Files.isDirectory(outputDir)) {
      throw CliException.usage(
          "--output-dir " + outputDir + " is not a directory", "create it, or pass another");
    }
    Config systemConfig =
        nodeConfig(self, seedAddresses, stateDir)
            .withFallback(nodeSource)
            .withFallback(cfg.root())
            .withFallback(ConfigFactory.parseResources("slotkeeper-cluster.conf"));

    requireLmdbOpens(systemConfig, ClusterCommand.class.getModule());

    OutputTarget stdout = OutputTarget.stdout(io.out);
    ClusterOutput output = new ClusterOutput(stdout, outputDir, withTx);
    ActorSystem<Void> system;
    try {
      system = Engine.start(systemConfig, io.verbosity);
    } catch (ConfigException e) {
      throw new CliException(CliException.USAGE, "configuration: " + Cli.oneLine(e.getMessage()));
    }
    ClusterStatusServer server = null;
    try {
      ShardedSources sharded = ShardedSources.start(system, output);
      String address = selfAddress(system);
      if (serving.isPresent()) {
        server = serving.get().startCluster(probe(system, sharded));
        io.note(
            "cluster view on "
                + serving.get().scheme()
                + "://"
                + server.address().getHostString()
                + ":"
                + server.address().getPort()
                + "/");
      }
      io.note("node " + address + " joining " + seedList(self, seedAddresses));
      CompletableFuture<Object> up = new CompletableFuture<>();
      org.apache.pekko.cluster.Cluster.get(
              org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system))
          .registerOnMemberUp(() -> up.complete("up"));
      CompletableFuture<Object> terminated =
          system.getWhenTerminated().toCompletableFuture().thenApply(d -> (Object) "terminated");
      CompletableFuture.anyOf(up, io.stopRequested, terminated).get();
      if (up.isDone() && !io.stopRequested.isDone()) {
        io.note("node " + address + " is Up");
        try {
          reconcile(sharded, wanted);
        } catch (Exception e) {
          // The node still hosts what the registry lists; the next node to start registers again.
          io.warn(
              "could not register the sources of "
                  + sources
                  + ": "
                  + Cli.oneLine(String.valueOf(Cli.unwrap(e).getMessage()))
                  + " (this node keeps running and hosts what the cluster's registry lists;"
                  + " start it again to retry)");
        }
      }
      CompletableFuture.anyOf(io.stopRequested, terminated).get();
      if (!io.stopRequested.isDone()) {
        throw CliException.runtime(
            "this node left the cluster (it was downed or removed) and stopped",
            "start it again: a new node joins the cluster and takes sources over");
      }
      io.note(
          "leaving the cluster on "
              + io.stopRequested.getNow("signal")
              + ": this node's sources drain and move to the other nodes");
      return 0;
    } finally {
      if (server != null) {
        server.close();
      }
      // Terminating runs coordinated shutdown: the node leaves, its sources hand over.
      Engine.stop(system, LEAVE_TIMEOUT);
      output.close();
      stdout.close();
    }
  }

  /**
   * Makes the registry what the file lists: adds the missing, replaces what changed (remove, then
   * add: its slot stays, so it continues where it stopped), removes what the file no longer lists
   * (its slot stays too). Every node does this at start with the same file, so it converges.
   */
  private void reconcile(ShardedSources sharded, Map<String, Config> wanted) throws Exception {
    Map<String, SourceSettings> registered =
        sharded.list().toCompletableFuture().get(60, TimeUnit.SECONDS);
    for (String id : registered.keySet()) {
      if (!wanted.containsKey(id)) {
        sharded.remove(id, false).toCompletableFuture().get(120, TimeUnit.SECONDS);
        io.note(
            "source " + id + " is no longer listed in " + sources + ": removed (its slot stays)");
      }
    }
    for (Map.Entry<String, Config> e : wanted.entrySet()) {
      try {
        sharded.add(e.getKey(), e.getValue()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      } catch (ExecutionException ex) {
        if (!(Cli.unwrap(ex) instanceof IllegalStateException)) {
          throw ex;
        }
        // Registered with other settings: the file changed.
        sharded.remove(e.getKey(), false).toCompletableFuture().get(120, TimeUnit.SECONDS);
        sharded.add(e.getKey(), e.getValue()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        io.note(
            "source "
                + e.getKey()
                + " changed in "
                + sources
                + ": restarted with its new settings");
      }
    }
    io.note("sources registered (" + wanted.size() + "): " + String.join(", ", wanted.keySet()));
  }

  /**
   * The node's {@code slotkeeper.source}: the --config file's, with the role and password from
   * flags and the environment, as {@code stream} takes them.
   */
  private Config nodeSource(CliConfig cfg) {
    Config file =
        cfg.root().hasPath(SourceSettings.CONFIG_PATH)
            ? cfg.root().getConfig(SourceSettings.CONFIG_PATH)
            : ConfigFactory.empty();
    String fileUser = file.hasPath("user") ? file.getString("user") : "";
    String role = firstNonBlank(user, fileUser, io.env("PGUSER"), System.getProperty("user.name"));
    Config s = ConfigFactory.empty();
    if (role != null) {
      s = s.withValue("user", ConfigValueFactory.fromAnyRef(role));
    }
    if (io.env("PGPASSWORD") != null) {
      s = s.withValue("password", ConfigValueFactory.fromAnyRef(io.env("PGPASSWORD")));
    }
    if (createSlot) {
      s = s.withValue("slot.create-if-missing", ConfigValueFactory.fromAnyRef(true));
    }
    Config section = s.withFallback(file);
    try {
      // Unknown keys are refused here, with the closest known one (never a value).
      SourceSettings.create(section);
    } catch (IllegalArgumentException | ConfigException e) {
      throw new CliException(
          CliException.USAGE, "in " + config + ": " + Cli.oneLine(e.getMessage()));
    }
    return section.atPath(SourceSettings.CONFIG_PATH);
  }

  /**
   * The durable registry's LMDB reads direct buffers' addresses by reflection; without the opens
   * the JVM does not allow it, and Pekko ends the whole JVM on that error once the node is Up. Say
   * so before starting, with the fix. Not needed when the registry is configured not durable.
   */
  static void requireLmdbOpens(Config systemConfig, Module module) {
    String keys = "pekko.cluster.distributed-data.durable.keys";
    if (systemConfig.hasPath(keys) && systemConfig.getStringList(keys).isEmpty()) {
      return;
    }
    Module base = Object.class.getModule();
    List<String> closed = new ArrayList<>();
    for (String pkg : List.of("java.nio", "sun.nio.ch")) {
      if (!base.isOpen(pkg, module)) {
        closed.add(pkg);
      }
    }
    if (!closed.isEmpty()) {
      throw CliException.runtime(
          "this JVM does not open "
              + String.join(" and ", closed)
              + " to the program, which the registry of sources (LMDB) needs",
          "start the program with java -jar (its manifest opens them) or bin/slotkeeper, or add "
              + LMDB_OPENS
              + " to the java command line");
    }
  }

  static final String LMDB_OPENS =
      "--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED";

  /** This node's address and seeds, and its registry's directory. */
  static Config nodeConfig(InetSocketAddress self, List<InetSocketAddress> seeds, Path stateDir) {
    List<String> seedNodes = new ArrayList<>();
    for (InetSocketAddress s : seeds.isEmpty() ? List.of(self) : seeds) {
      seedNodes.add(pekkoAddress(s));
    }
    Config c =
        ConfigFactory.empty()
            .withValue(
                "pekko.remote.artery.canonical.hostname",
                ConfigValueFactory.fromAnyRef(self.getHostString()))
            .withValue(
                "pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(self.getPort()))
            .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedNodes));
    if (stateDir != null) {
      c =
          c.withValue(
              "pekko.cluster.distributed-data.durable.lmdb.dir",
              ConfigValueFactory.fromAnyRef(stateDir.toAbsolutePath().toString()));
    }
    return c;
  }

  static String pekkoAddress(InetSocketAddress a) {
    String host = a.getHostString();
    return "pekko://"
        + SYSTEM_NAME
        + "@"
        + (host.contains(":") ? "[" + host + "]" : host)
        + ":"
        + a.getPort();
  }

  /** "HOST:PORT" or a bare "PORT" (127.0.0.1); a usage error naming the flag otherwise. */
  static InetSocketAddress address(String spec, String flag) {
    String s = spec.trim();
    int colon = s.lastIndexOf(':');
    String host = colon < 0 ? "127.0.0.1" : s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(colon < 0 ? s : s.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (host.isEmpty() || port < 1 || port > 65535 || host.equals("0.0.0.0")) {
      throw CliException.usage(
          "malformed " + flag + " address '" + spec + "'",
          "use HOST:PORT with the host name or address the other nodes reach this one at, e.g. "
              + flag
              + " 10.0.0.5:7355");
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  private static String seedList(InetSocketAddress self, List<InetSocketAddress> seeds) {
    List<String> out = new ArrayList<>();
    for (InetSocketAddress s : seeds.isEmpty() ? List.of(self) : seeds) {
      out.add(s.getHostString() + ":" + s.getPort());
    }
    return "seed " + String.join(", ", out);
  }

  private static String selfAddress(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address().toString();
  }

  private static ClusterStatusServer.Probe probe(ActorSystem<?> system, ShardedSources sharded) {
    return new ClusterStatusServer.Probe() {
      @Override
      public String node() {
        return selfAddress(system);
      }

      @Override
      public boolean up() {
        return Cluster.get(system).selfMember().status() == MemberStatus.up();
      }

      @Override
      public boolean live() {
        return !system.getWhenTerminated().toCompletableFuture().isDone();
      }

      @Override
      public List<ClusterStatusJson.Member> members() {
        List<ClusterStatusJson.Member> out = new ArrayList<>();
        for (Member m : Cluster.get(system).state().getMembers()) {
          out.add(new ClusterStatusJson.Member(m.address().toString(), m.status().toString()));
        }
        return out;
      }

      @Override
      public java.util.concurrent.CompletionStage<io.slotkeeper.cluster.ShardedSourcesStatus>
          sources() {
        return sharded.statusAll();
      }
    };
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
