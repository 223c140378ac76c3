package io.slotkeeper.bench;

import io.slotkeeper.SlotSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark and prints one markdown table. Progress goes to stdout as it happens; the
 * table at the end is also written to {@code --results=FILE}.
 *
 * <pre>
 *   --quick                 small sizes, for trying things out (minutes, not tens of minutes)
 *   --only=a,b              any of decoder, catchup, latency, stall, memory, archive, snapshot, formats,
 *                           largetx, idle, peers, groups (the last five opt-in)
 *   --idle-seconds=N        how long each idle measurement runs (default 20)
 *   --idle-sources=N,N      how many quiet sources the idle benchmark runs (default 1,100)
 *   --snapshot-rows=N       rows of the snapshot benchmark's one table
 *   --results=FILE          where to write the table (markdown)
 *   --catchup-rows=N        backlog size of the catch-up benchmark
 *   --catchup-runs=N        measured runs per contender of the catch-up and peers benchmarks
 *   --memory-rows=N,N,N     transaction sizes of the memory benchmark
 *   --pg-version=N          PostgreSQL major version (default 17)
 * </pre>
 */
public final class BenchMain {
  private static final Set<String> ALL =
      Set.of(
          "decoder",
          "catchup",
          "latency",
          "stall",
          "memory",
          "archive",
          "snapshot",
          "formats",
          "largetx",
          "idle",
          "peers",
          "groups");

  private BenchMain() {}

  /** Sizes of one mode. */
  private static final class Sizes {
    int jmhWarmups;
    int jmhIterations;
    List<String> decodeOps;
    int catchUpRows;
    int catchUpTransactionRows = 1000;
    int catchUpRuns;
    int warmUpRows;
    int latencyWarmup;
    // After the warm-up, the latency benchmark waits up to this long for the JIT to go quiet.
    int latencyJitQuietMax;
    int latencySeconds;
    int stallWarmup;
    int stallSeconds;
    long[] memoryRows;
    long snapshotRows;
    long[] largeTxRows = {1_000_000};
    int idleSeconds = 20;
    int[] idleSources = {1, 100};
    String memoryHeap = "128m";
    long archiveWalBytes;
    int archiveRuns;
    // The paced load of the latency and stall benchmarks: 50 rows every 10 ms = 5,000 rows/s.
    int paceRows = 50;
    long paceMillis = 10;

    static Sizes full() {
      Sizes s = new Sizes();
      s.jmhWarmups = 3;
      s.jmhIterations = 4;
      s.decodeOps = List.of("insert", "update", "delete");
      s.catchUpRows = 1_000_000;
      s.catchUpRuns = 3;
      s.warmUpRows = 100_000;
      s.latencyWarmup = 5;
      s.latencyJitQuietMax = 60;
      s.latencySeconds = 30;
      s.stallWarmup = 3;
      s.stallSeconds = 10;
      s.memoryRows = new long[] {10_000, 1_000_000, 10_000_000};
      s.archiveWalBytes = 512L << 20;
      s.archiveRuns = 3;
      s.snapshotRows = 10_000_000;
      return s;
    }

    static Sizes quick() {
      Sizes s = new Sizes();
      s.jmhWarmups = 1;
      s.jmhIterations = 2;
      s.decodeOps = List.of("insert");
      s.catchUpRows = 20_000;
      s.catchUpRuns = 2;
      s.warmUpRows = 10_000;
      s.latencyWarmup = 2;
      s.latencySeconds = 5;
      s.stallWarmup = 2;
      s.stallSeconds = 3;
      s.memoryRows = new long[] {10_000, 100_000, 300_000};
      s.archiveWalBytes = 64L << 20;
      s.archiveRuns = 2;
      s.snapshotRows = 200_000;
      return s;
    }
  }

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Set<String> only =
        new LinkedHashSet<>(
            List.of("decoder", "catchup", "latency", "stall", "memory", "archive", "snapshot"));
    Path resultsFile = null;
    Integer catchUpRows = null;
    Integer catchUpRuns = null;
    Long snapshotRows = null;
    long[] memoryRows = null;
    int pgVersion = 17;
    long[] largeTxRows = null;
    Integer idleSeconds = null;
    int[] idleSources = null;
    for (String a : args) {
      if (a.equals("--quick")) {
        quick = true;
      } else if (a.startsWith("--only=")) {
        only = new LinkedHashSet<>(Arrays.asList(a.substring(7).split(",")));
        if (!ALL.containsAll(only)) {
          throw new IllegalArgumentException("--only takes " + ALL + ", got " + only);
        }
      } else if (a.startsWith("--results=")) {
        resultsFile = Paths.get(a.substring(10));
      } else if (a.startsWith("--catchup-rows=")) {
        catchUpRows = Integer.parseInt(a.substring(15));
      } else if (a.startsWith("--catchup-runs=")) {
        catchUpRuns = Integer.parseInt(a.substring(15));
      } else if (a.startsWith("--memory-rows=")) {
        memoryRows = Arrays.stream(a.substring(14).split(",")).mapToLong(Long::parseLong).toArray();
      } else if (a.startsWith("--snapshot-rows=")) {
        snapshotRows = Long.parseLong(a.substring(16));
      } else if (a.startsWith("--largetx-rows=")) {
        largeTxRows =
            Arrays.stream(a.substring(15).split(",")).mapToLong(Long::parseLong).toArray();
      } else if (a.startsWith("--idle-seconds=")) {
        idleSeconds = Integer.parseInt(a.substring(15));
      } else if (a.startsWith("--idle-sources=")) {
        idleSources =
            Arrays.stream(a.substring(15).split(",")).mapToInt(Integer::parseInt).toArray();
      } else if (a.startsWith("--pg-version=")) {
        pgVersion = Integer.parseInt(a.substring(13));
      } else {
        throw new IllegalArgumentException("unknown argument " + a);
      }
    }
    Sizes sizes = quick ? Sizes.quick() : Sizes.full();
    if (catchUpRows != null) {
      sizes.catchUpRows = catchUpRows;
    }
    if (catchUpRuns != null) {
      sizes.catchUpRuns = catchUpRuns;
    }
    if (memoryRows != null) {
      sizes.memoryRows = memoryRows;
    }
    if (snapshotRows != null) {
      sizes.snapshotRows = snapshotRows;
    }
    if (largeTxRows != null) {
      sizes.largeTxRows = largeTxRows;
    }
    if (idleSeconds != null) {
      sizes.idleSeconds = idleSeconds;
    }
    if (idleSources != null) {
      sizes.idleSources = idleSources;
    }
    PrintStream log = System.out;
    Report report = new Report();
    long started = System.nanoTime();
    report.fact("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    report.fact("mode", quick ? "quick (small sizes: not the issue's figures)" : "full");
    report.fact("CPU", cpuModel() + ", nproc " + Runtime.getRuntime().availableProcessors());
    report.fact(
        "JVM",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    report.fact("load average at start", loadAverage());

    if (only.contains("decoder")) {
      decoder(sizes, report, log);
    }
    Set<String> dbBenches = new LinkedHashSet<>(only);
    dbBenches.remove("decoder");
    if (!dbBenches.isEmpty()) {
      try (BenchDb db = new BenchDb(pgVersion)) {
        report.fact(
            "PostgreSQL",
            db.serverVersion() + " (embedded, same host; fsync off, shared_buffers 256MB)");
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench");
        try {
          List<Contender> contenders =
              List.of(new BaselineContender(), new SlotkeeperContender(system));
          if (dbBenches.contains("catchup")) {
            catchUp(db, contenders, sizes, report, log);
          }
          if (dbBenches.contains("latency")) {
            latency(db, contenders, sizes, report, log);
          }
          if (dbBenches.contains("stall")) {
            stall(db, contenders, sizes, report, log);
          }
          if (dbBenches.contains("memory")) {
            memory(db, sizes, report, log);
          }
          if (dbBenches.contains("archive")) {
            archive(db, system, sizes, report, log);
          }
          if (dbBenches.contains("snapshot")) {
            snapshot(db, system, sizes, report, log);
          }
          if (dbBenches.contains("formats")) {
            formats(db, system, sizes, report, log);
          }
          if (dbBenches.contains("largetx")) {
            largeTransaction(db, system, sizes, report, log);
          }
          if (dbBenches.contains("idle")) {
            idle(db, system, sizes, report, log);
          }
          if (dbBenches.contains("groups")) {
            slotGroups(db, system, sizes, report, log);
          }
          if (dbBenches.contains("peers")) {
            PeersBench.run(
                db,
                system,
                sizes.catchUpRows,
                sizes.catchUpTransactionRows,
                sizes.catchUpRuns,
                sizes.warmUpRows,
                report,
                log);
          }
        } finally {
          system.terminate();
        }
      }
    }
    report.fact("load average at end", loadAverage());
    report.fact(
        "wall time", String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - started) / 1e9));

    String table = report.markdown();
    log.println();
    log.println(table);
    if (resultsFile != null) {
      // The sections written under the table by hand are kept (ResultsFile).
      ResultsFile.write(
          resultsFile,
          "# Slotkeeper benchmark results\n\nProduced by `slotkeeper-bench/run.sh"
              + (quick ? " --quick" : "")
              + "`; see README.md for what each figure means.\n\n"
              + table);
      log.println("written to " + resultsFile);
    }
    System.exit(0);
  }

  // ---------------------------------------------------------------- decoder (JMH)

  private static void decoder(Sizes sizes, Report report, PrintStream log) throws Exception {
    Path jmhLog = Paths.get("target", "jmh.log");
    Files.createDirectories(jmhLog.getParent());
    log.println("decoder: JMH, 1 fork, 1 thread; details in " + jmhLog);
    List<RunResult> results = new ArrayList<>();
    results.addAll(jmh(sizes, "decode", sizes.decodeOps, jmhLog.resolveSibling("jmh-decode.log")));
    results.addAll(
        jmh(sizes, "frameAndDecode", List.of("insert"), jmhLog.resolveSibling("jmh-frame.log")));
    for (RunResult r : results) {
      String method = r.getParams().getBenchmark().replaceAll(".*\\.", "");
      String shape = r.getParams().getParam("shape");
      String op = r.getParams().getParam("op");
      double score = r.getPrimaryResult().getScore();
      double error = r.getPrimaryResult().getScoreError();
      double bytes = DecoderBenchmark.meanPayloadBytes(shape, op);
      int columns = RowShapes.columns(shape).size();
      log.printf(
          "decoder %-15s %-6s %-6s %,12.0f msgs/s ± %,.0f  (%.0f B/msg, %.0f MB/s)%n",
          method, shape, op, score, error, bytes, score * bytes / 1e6);
      boolean small = shape.equals("narrow");
      report.row(
          String.format(
              Locale.ROOT,
              "Decoder `%s`, %s %s (%d cols, %.0f B/msg), per core",
              method,
              shape,
              op,
              columns,
              bytes),
          String.format(
              Locale.ROOT,
              "%s ± %s msgs/s (%.0f MB/s)",
              Report.millions(score),
              Report.millions(error),
              score * bytes / 1e6),
          "–",
          "–",
          small ? "≥ 5 M msgs/s" : "–",
          small ? (score >= 5e6 ? "yes" : "**no**") : "–");
    }
  }

  private static Collection<RunResult> jmh(
      Sizes sizes, String method, List<String> ops, Path output) throws Exception {
    ChainedOptionsBuilder o =
        new OptionsBuilder()
            .include(DecoderBenchmark.class.getName() + "." + method + "$")
            .forks(1)
            .threads(1)
            .warmupIterations(sizes.jmhWarmups)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(sizes.jmhIterations)
            .measurementTime(TimeValue.seconds(1))
            .jvmArgs("-Xms1g", "-Xmx1g")
            .param("op", ops.toArray(new String[0]))
            .output(output.toString());
    return new Runner(o.build()).run();
  }

  // ---------------------------------------------------------------- end to end

  private static void catchUp(
      BenchDb db, List<Contender> contenders, Sizes sizes, Report report, PrintStream log)
      throws Exception {
    CatchUpBench bench = new CatchUpBench(db, contenders, log);
    bench.warmUp(sizes.warmUpRows);
    for (String variant : List.of("insert", "mixed")) {
      CatchUpBench.Result r =
          bench.run(variant, sizes.catchUpRows, sizes.catchUpTransactionRows, sizes.catchUpRuns);
      double sk = r.median("slotkeeper");
      double bl = r.median("pgjdbc baseline");
      String what = variant.equals("insert") ? "inserts" : "changes (50% I, 30% U, 20% D)";
      report.row(
          String.format(
              Locale.ROOT,
              "Catch-up: %,d %s in %,d-row tx, changes/s, median of %d runs",
              r.events(),
              what,
              r.transactionRows(),
              sizes.catchUpRuns),
          Report.thousands(sk) + " " + runs(r, "slotkeeper") + busy(r, "slotkeeper"),
          Report.thousands(bl) + " " + runs(r, "pgjdbc baseline") + busy(r, "pgjdbc baseline"),
          Report.ratio(sk / bl),
          "≥ 0.90×",
          sk / bl >= 0.9 ? "yes" : "**no**");
    }
  }

  /**
   * Text vs binary values (issue 15), same run, same WAL: a backlog of inserts into a table of
   * numeric, float8, timestamptz, date and uuid columns drained by Slotkeeper with {@code binary}
   * off and on, each consumer printing every value with {@code text()} (as the program's JSON lines
   * do), so the binary run pays for printing on the client what the text run's walsender printed.
   */
  private static void formats(
      BenchDb db, ActorSystem<?> system, Sizes sizes, Report report, PrintStream log)
      throws Exception {
    Contender text = new SlotkeeperContender(system, false, true);
    Contender binary = new SlotkeeperContender(system, true, true);
    CatchUpBench bench = new CatchUpBench(db, List.of(text, binary), log);
    bench.warmUp(sizes.warmUpRows);
    CatchUpBench.Result r =
        bench.run("typed", sizes.catchUpRows, sizes.catchUpTransactionRows, sizes.catchUpRuns);
    double b = r.median(binary.name());
    double t = r.median(text.name());
    report.row(
        String.format(
            Locale.ROOT,
            "Binary vs text values: %,d inserts of 8 typed columns, changes/s, median of %d runs"
                + " (slotkeeper binary | slotkeeper text)",
            r.events(),
            sizes.catchUpRuns),
        Report.thousands(b)
            + " "
            + runs(r, binary.name())
            + busy(r, binary.name())
            + walsenderCpuPerChange(r, binary.name()),
        Report.thousands(t)
            + " "
            + runs(r, text.name())
            + busy(r, text.name())
            + walsenderCpuPerChange(r, text.name()),
        Report.ratio(b / t),
        "–",
        "–");
  }

  /**
   * Median walsender CPU time per change (its on-CPU share times the drain's duration, over the
   * changes): what the server pays per change, much less sensitive to a busy machine than
   * changes/s.
   */
  private static String walsenderCpuPerChange(CatchUpBench.Result r, String contender) {
    List<Double> busy = r.walsenderBusy().get(contender);
    List<Double> rates = r.eventsPerSecond().get(contender);
    double[] perChange = new double[busy.size()];
    for (int i = 0; i < perChange.length; i++) {
      // busy × (events / rate) seconds of CPU, over events changes.
      perChange[i] = busy.get(i) / rates.get(i) * 1e6;
    }
    return String.format(Locale.ROOT, "<br>walsender CPU %.1f µs/change", Stats.median(perChange));
  }

  /**
   * Median share of the drain the walsender spent on a CPU: near 100% means the server was the
   * limit.
   */
  private static String busy(CatchUpBench.Result r, String contender) {
    double m =
        Stats.median(
            r.walsenderBusy().get(contender).stream().mapToDouble(Double::doubleValue).toArray());
    return String.format(Locale.ROOT, "<br>walsender on CPU %.0f%%", m * 100);
  }

  private static String runs(CatchUpBench.Result r, String contender) {
    StringBuilder sb = new StringBuilder("<br>(");
    List<Double> v = r.eventsPerSecond().get(contender);
    for (int i = 0; i < v.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0fk", v.get(i) / 1000));
    }
    return sb.append(")").toString();
  }

  private static void archive(
      BenchDb db, ActorSystem<Void> system, Sizes sizes, Report report, PrintStream log)
      throws Exception {
    ArchiveBench.Result r =
        new ArchiveBench(db, system, log).run(sizes.archiveWalBytes, sizes.archiveRuns);
    double sk = Stats.median(r.slotkeeper().stream().mapToDouble(Double::doubleValue).toArray());
    report.row(
        String.format(
            Locale.ROOT,
            "WAL generation: the server writing a %s backlog (inserts), MB/s",
            Report.mib(r.walBytes())),
        String.format(Locale.ROOT, "%.1f", r.generatedMbPerSecond()),
        "–",
        "–",
        "–",
        "–");
    double thin = Stats.median(r.thinLoop().stream().mapToDouble(Double::doubleValue).toArray());
    report.row(
        String.format(
            Locale.ROOT,
            "Archive: that backlog from a physical slot, MB/s, median of %d runs; baseline column:"
                + " the thin pgjdbc loop (fsync per segment, as pg_receivewal); segments"
                + " byte-identical: %s; vs WAL generation: %.2f×",
            r.slotkeeper().size(),
            r.identical() ? "yes" : "**no**",
            sk / r.generatedMbPerSecond()),
        String.format(Locale.ROOT, "%.1f %s", sk, mbRuns(r.slotkeeper())),
        String.format(Locale.ROOT, "%.1f %s", thin, mbRuns(r.thinLoop())),
        Report.ratio(sk / thin),
        "≥ 0.90× thin loop",
        sk / thin >= 0.9 ? "yes" : "**no**");
    if (r.pgReceivewal().isEmpty()) {
      report.row(
          "Archive: pg_receivewal, same backlog (" + r.peer() + ")", "–", "–", "–", "–", "–");
      return;
    }
    double rw = Stats.median(r.pgReceivewal().stream().mapToDouble(Double::doubleValue).toArray());
    report.row(
        String.format(
            Locale.ROOT,
            "Archive: the same backlog, MB/s, median of %d runs; baseline column: %s",
            r.slotkeeper().size(),
            r.peer()),
        String.format(Locale.ROOT, "%.1f %s", sk, mbRuns(r.slotkeeper())),
        String.format(Locale.ROOT, "%.1f %s", rw, mbRuns(r.pgReceivewal())),
        Report.ratio(sk / rw),
        "≥ 0.90× pg_receivewal",
        sk / rw >= 0.9 ? "yes" : "**no**");
  }

  private static String mbRuns(List<Double> v) {
    StringBuilder sb = new StringBuilder("<br>(");
    for (int i = 0; i < v.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", v.get(i)));
    }
    return sb.append(")").toString();
  }

  /**
   * Issue 15: one large transaction with streaming off, on and parallel in the same run (opt-in:
   * {@code --only=largetx}; {@code --largetx-rows=N[,M...]}, default 1,000,000; 10,000,000 is the
   * issue's second size). Off runs first and last (a warm and a cold figure), so the JIT's warm-up
   * does not favour the streamed modes alone.
   */
  private static void largeTransaction(
      BenchDb db, ActorSystem<?> system, Sizes sizes, Report report, PrintStream log)
      throws Exception {
    LargeTransactionBench bench = new LargeTransactionBench(db, system, log);
    for (long rows : sizes.largeTxRows) {
      List<LargeTransactionBench.Result> off = new ArrayList<>();
      off.add(bench.run(io.slotkeeper.StreamSettings.Streaming.OFF, rows));
      LargeTransactionBench.Result on = bench.run(io.slotkeeper.StreamSettings.Streaming.ON, rows);
      LargeTransactionBench.Result parallel =
          db.pg.version() >= 16
              ? bench.run(io.slotkeeper.StreamSettings.Streaming.PARALLEL, rows)
              : null;
      off.add(bench.run(io.slotkeeper.StreamSettings.Streaming.OFF, rows));
      LargeTransactionBench.Result offBest =
          off.get(0).commitToLastSeconds() <= off.get(1).commitToLastSeconds()
              ? off.get(0)
              : off.get(1);
      report.row(
          String.format(
              Locale.ROOT,
              "One %,d-row transaction, streaming on%s (Slotkeeper column) vs off, better of two"
                  + " runs (baseline column): COMMIT→last change delivered, s",
              rows,
              parallel == null ? "" : " \\| parallel"),
          String.format(Locale.ROOT, "%.2f", on.commitToLastSeconds())
              + (parallel == null
                  ? ""
                  : String.format(Locale.ROOT, " \\| %.2f", parallel.commitToLastSeconds())),
          String.format(
              Locale.ROOT,
              "%.2f <br>(%.2f, %.2f)",
              offBest.commitToLastSeconds(),
              off.get(0).commitToLastSeconds(),
              off.get(1).commitToLastSeconds()),
          String.format(
              Locale.ROOT, "%.2f", on.commitToLastSeconds() / offBest.commitToLastSeconds()),
          "–",
          "–");
      report.row(
          "… end to end (BEGIN → last change delivered), s",
          String.format(Locale.ROOT, "%.2f", on.endToEndSeconds())
              + (parallel == null
                  ? ""
                  : String.format(Locale.ROOT, " \\| %.2f", parallel.endToEndSeconds())),
          String.format(
              Locale.ROOT,
              "%.2f <br>(%.2f, %.2f)",
              offBest.endToEndSeconds(),
              off.get(0).endToEndSeconds(),
              off.get(1).endToEndSeconds()),
          String.format(Locale.ROOT, "%.2f", on.endToEndSeconds() / offBest.endToEndSeconds()),
          "–",
          "–");
      report.note(
          String.format(
              Locale.ROOT,
              "Large transaction, %,d rows: spill_bytes %,d / %,d (off), %,d (on)%s;"
                  + " stream_bytes %,d (on)%s; client peak heap %,d / %,d MB (off), %,d MB (on)%s.",
              rows,
              off.get(0).spillBytes(),
              off.get(1).spillBytes(),
              on.spillBytes(),
              parallel == null
                  ? ""
                  : String.format(Locale.ROOT, ", %,d (parallel)", parallel.spillBytes()),
              on.streamBytes(),
              parallel == null
                  ? ""
                  : String.format(Locale.ROOT, ", %,d (parallel)", parallel.streamBytes()),
              off.get(0).peakHeapBytes() >> 20,
              off.get(1).peakHeapBytes() >> 20,
              on.peakHeapBytes() >> 20,
              parallel == null
                  ? ""
                  : String.format(
                      Locale.ROOT, ", %,d MB (parallel)", parallel.peakHeapBytes() >> 20)));
    }
  }

  // ---------------------------------------------------------------- idle

  /**
   * {@code --only=groups} (issue 17): one database's WAL read over 1, 2 and 4 slots against one
   * pg_recvlogical on one slot, {@code --catchup-rows} changes (default 1,000,000).
   */
  private static void slotGroups(
      BenchDb db, ActorSystem<Void> system, Sizes sizes, Report report, PrintStream log)
      throws Exception {
    SlotGroupsBench bench = new SlotGroupsBench(db, system, log);
    bench.setUp(sizes.catchUpRows);
    long expected = bench.expected();
    java.util.Optional<SlotGroupsBench.Result> recv = bench.pgRecvlogical(expected);
    for (int slots : new int[] {1, 2, 4}) {
      SlotGroupsBench.Result r = bench.slotkeeper(slots, expected);
      report.row(
          String.format(
              Locale.ROOT,
              "One database over %d slot%s (SlotGroups), %,d inserts in 4 tables, changes/s"
                  + " (baseline: one pg_recvlogical on one slot); each walsender on CPU %.0f%%%s",
              slots,
              slots == 1 ? "" : "s",
              expected,
              100 * r.walsenderBusy(),
              recv.map(
                      b ->
                          String.format(
                              Locale.ROOT, " (pg_recvlogical's: %.0f%%)", 100 * b.walsenderBusy()))
                  .orElse("")),
          Report.thousands(r.changesPerSecond()),
          recv.map(b -> Report.thousands(b.changesPerSecond())).orElse("–"),
          recv.map(b -> Report.ratio(r.changesPerSecond() / b.changesPerSecond())).orElse("–"),
          "–",
          "–");
    }
  }

  private static void idle(
      BenchDb db, ActorSystem<Void> system, Sizes sizes, Report report, PrintStream log)
      throws Exception {
    IdleBench bench = new IdleBench(db, system, log);
    java.util.Optional<IdleBench.Result> recv = bench.pgRecvlogical(sizes.idleSeconds);
    for (int n : sizes.idleSources) {
      // Three rounds, each the same JVM with no source right before the sources: what one quiet
      // source costs is small next to the JVM's own idling (Pekko's scheduler ticks every 10 ms)
      // and /proc's 10 ms ticks, so one round alone is noisy; the median of three is reported.
      double[] pct = new double[3];
      double jvm = 0;
      double seconds = 0;
      for (int round = 0; round < pct.length; round++) {
        IdleBench.Result base = bench.baseline(sizes.idleSeconds);
        IdleBench.Result r = bench.sources(n, sizes.idleSeconds);
        pct[round] = r.percentPerSource(base);
        jvm += 100.0 * base.cpuSeconds() / base.seconds() / pct.length;
        seconds = r.seconds();
      }
      double[] sorted = pct.clone();
      Arrays.sort(sorted);
      double median = sorted[1];
      report.row(
          String.format(
              Locale.ROOT,
              "Idle: CPU per quiet source, %d source%s in one JVM, %.0f s × 3 rounds (%% of one"
                  + " core, median; rounds %.2f / %.2f / %.2f; the JVM with no source: %.2f%%)",
              n,
              n == 1 ? "" : "s",
              seconds,
              pct[0],
              pct[1],
              pct[2],
              jvm),
          n == 1
              ? String.format(Locale.ROOT, "%.2f%%", median)
              : String.format(Locale.ROOT, "%.2f%% (all %d: %.1f%%)", median, n, median * n),
          recv.map(x -> String.format(Locale.ROOT, "%.2f%% (pg_recvlogical)", x.percentOfCore()))
              .orElse("–"),
          "–",
          "≤ 0.5%",
          median <= 0.5 ? "yes" : "**no**");
    }
  }

  private static void latency(
      BenchDb db, List<Contender> contenders, Sizes sizes, Report report, PrintStream log)
      throws Exception {
    LatencyBench bench = new LatencyBench(db, log);
    LatencyBench.Result sk = null;
    LatencyBench.Result bl = null;
    for (Contender c : contenders) {
      LatencyBench.Result r =
          bench.run(
              c,
              sizes.paceRows,
              sizes.paceMillis,
              sizes.latencyWarmup,
              sizes.latencyJitQuietMax,
              sizes.latencySeconds);
      if (c instanceof SlotkeeperContender) {
        sk = r;
      } else {
        bl = r;
      }
    }
    // The floor: the leanest reader, which also sees the server's own part of each row's path.
    LatencyBench.Result floor =
        bench.run(
            new ServerSendProbe(),
            sizes.paceRows,
            sizes.paceMillis,
            sizes.latencyWarmup,
            sizes.latencyJitQuietMax,
            sizes.latencySeconds);
    String what =
        String.format(
            Locale.ROOT,
            "Latency commit→consumer at %,d rows/s (%d rows/tx every %d ms), %d s:",
            sizes.paceRows * 1000 / sizes.paceMillis,
            sizes.paceRows,
            sizes.paceMillis,
            sizes.latencySeconds);
    double p99Ratio = (double) sk.p99Micros() / bl.p99Micros();
    boolean underTwoMs = sk.p99Micros() <= 2_000;
    boolean ratioMet = p99Ratio <= 1.5;
    String met;
    if (underTwoMs && ratioMet) {
      met = "yes";
    } else if (ratioMet) {
      met =
          floor.p99Micros() > 2_000
              ? "ratio yes, 2 ms **no** (out of reach here: the raw-frame reader's p99 is "
                  + Report.ms(floor.p99Micros())
                  + " ms)"
              : "ratio yes, 2 ms **no**";
    } else if (underTwoMs) {
      met = "2 ms yes, ratio **no**";
    } else {
      met = "**no**";
    }
    report.row(
        what + " p50 / p99 / p99.9 / max, ms (recorded once the JIT went quiet)",
        lat(sk),
        lat(bl),
        String.format(Locale.ROOT, "%.2f× p99", p99Ratio),
        "p99 ≤ 2 ms and ≤ 1.5× the loop's (issue 16)",
        met);
    report.note(
        String.format(
            Locale.ROOT,
            "Latency writer achieved %,.0f rows/s (Slotkeeper run) and %,.0f rows/s"
                + " (baseline run); %,d and %,d samples.",
            sk.writeRate(),
            bl.writeRate(),
            sk.samples(),
            bl.samples()));
    report.note(
        String.format(
            Locale.ROOT,
            "The floor, in its own %d s after the two (own slot and writer): a reader of raw"
                + " frames that wakes on data and looks at one byte per message, p50 / p99 / p99.9 /"
                + " max %s ms; of which commit → the walsender sending the row's frame (the XLogData"
                + " header's send time, stamped as the frame is written to the socket) %s ms. Every"
                + " reader's latency includes that server part.",
            sizes.latencySeconds,
            lat(floor),
            lat(floor.serverSend())));
  }

  private static String lat(LatencyBench.Result r) {
    return Report.ms(r.p50Micros())
        + " / "
        + Report.ms(r.p99Micros())
        + " / "
        + Report.ms(r.p999Micros())
        + " / "
        + Report.ms(r.maxMicros());
  }

  private static void stall(
      BenchDb db, List<Contender> contenders, Sizes sizes, Report report, PrintStream log)
      throws Exception {
    StallBench bench = new StallBench(db, log);
    StallBench.Result sk = null;
    StallBench.Result bl = null;
    for (Contender c : contenders) {
      StallBench.Result r =
          bench.run(c, sizes.paceRows, sizes.paceMillis, sizes.stallWarmup, sizes.stallSeconds);
      if (c instanceof SlotkeeperContender) {
        sk = r;
      } else {
        bl = r;
      }
    }
    report.row(
        String.format(
            Locale.ROOT,
            "Stall %d s at %,d rows/s, then resume: backlog rows; time to deliver it"
                + " (writes go on)",
            sizes.stallSeconds,
            sizes.paceRows * 1000 / sizes.paceMillis),
        stallCell(sk),
        stallCell(bl),
        Report.ratio(sk.catchUpSeconds() / bl.catchUpSeconds()) + " time",
        "–",
        "–");
  }

  private static String stallCell(StallBench.Result r) {
    return String.format(
        Locale.ROOT,
        "%,d rows; %.2f s (%,.0f rows/s)",
        r.backlogRows(),
        r.catchUpSeconds(),
        r.drainRate());
  }

  /**
   * Initial snapshot of one table with 1 and 4 readers (4: the table split into 4 key ranges)
   * against COPY TO STDOUT of the same table (psql into /dev/null when installed, else CopyManager
   * into a discarding sink), in one run.
   */
  private static void snapshot(
      BenchDb db, ActorSystem<Void> system, Sizes sizes, Report report, PrintStream log)
      throws Exception {
    int tables = 1;
    long rows = sizes.snapshotRows;
    SnapshotBench bench = new SnapshotBench(db, system, log);
    bench.setUp(tables, rows);
    bench.copy(tables, rows); // warm the cache for both
    SnapshotBench.Result jdbcCopy = bench.copy(tables, rows);
    // The baseline is psql's COPY into /dev/null; pgjdbc's CopyManager stands in without
    // it.
    SnapshotBench.Result copy = bench.psql(tables, rows).orElse(jdbcCopy);
    String baseline =
        copy == jdbcCopy
            ? "COPY table TO STDOUT through pgjdbc's CopyManager into a discarding sink; psql is"
                + " not installed here"
            : String.format(
                Locale.ROOT,
                "psql -c 'COPY table TO STDOUT' > /dev/null; pgjdbc's CopyManager into a"
                    + " discarding sink, same run: %s rows/s",
                Report.thousands(jdbcCopy.rowsPerSecond()));
    record Way(int readers, SlotSettings.SnapshotOrder order) {}
    for (Way way :
        List.of(
            new Way(1, SlotSettings.SnapshotOrder.STORAGE),
            new Way(4, SlotSettings.SnapshotOrder.STORAGE),
            new Way(1, SlotSettings.SnapshotOrder.KEY))) {
      int readers = way.readers();
      boolean target = readers == 1 && way.order() == SlotSettings.SnapshotOrder.STORAGE;
      SnapshotBench.Result r = bench.slotkeeper(readers, rows, way.order());
      double ratio = r.rowsPerSecond() / copy.rowsPerSecond();
      report.row(
          String.format(
              Locale.ROOT,
              "Initial snapshot, one table of %,d rows, %d reader(s), %s order, rows/s (baseline:"
                  + " %s)",
              rows,
              readers,
              way.order().name().toLowerCase(Locale.ROOT),
              baseline),
          Report.thousands(r.rowsPerSecond())
              + String.format(Locale.ROOT, "<br>%.1f s", r.seconds()),
          Report.thousands(copy.rowsPerSecond())
              + String.format(Locale.ROOT, "<br>%.1f s", copy.seconds()),
          Report.ratio(ratio),
          target ? "≥ 0.70× COPY" : "–",
          target ? (ratio >= 0.7 ? "yes" : "**no**") : "–");
    }
  }

  private static void memory(BenchDb db, Sizes sizes, Report report, PrintStream log)
      throws Exception {
    MemoryBench bench = new MemoryBench(db, log, sizes.memoryHeap);
    List<MemoryBench.Result> results = bench.run(sizes.memoryRows);
    MemoryBench.Result first = results.get(0);
    MemoryBench.Result previous = null;
    for (MemoryBench.Result r : results) {
      String cell;
      String met = "–";
      String target = "–";
      if (!r.ok()) {
        cell = "FAILED: " + r.error();
        met = "**no**";
      } else {
        cell =
            String.format(
                Locale.ROOT,
                "live %s (halves: %s, %s); peak used %s; streamed in %.1f s",
                Report.mib(r.liveBytes()),
                halfCell(r.liveFirstHalf()),
                halfCell(r.liveSecondHalf()),
                Report.mib(r.peakBytes()),
                r.seconds());
        if (r != first && first.ok()) {
          double live = (double) r.liveBytes() / first.liveBytes();
          double peak = (double) r.peakBytes() / first.peakBytes();
          target = String.format(Locale.ROOT, "≤ 1.10× of %,d rows", first.rows());
          cell +=
              String.format(
                  Locale.ROOT, "<br>vs %,d rows: live %.2f×, peak %.2f×", first.rows(), live, peak);
          met =
              (live <= 1.10 ? "live yes" : "live **no**")
                  + ", "
                  + (peak <= 1.10 ? "peak yes" : "peak **no**");
          if (previous != null && previous != first && previous.ok()) {
            // Both long enough for G1 to reach its steady young-generation size: peaks comparable.
            cell +=
                String.format(
                    Locale.ROOT,
                    "<br>vs %,d rows: live %.2f×, peak %.2f×",
                    previous.rows(),
                    (double) r.liveBytes() / previous.liveBytes(),
                    (double) r.peakBytes() / previous.peakBytes());
          }
        }
      }
      previous = r;
      report.row(
          String.format(
              Locale.ROOT,
              "Heap streaming one %,d-row transaction, fresh JVM -Xmx%s",
              r.rows(),
              sizes.memoryHeap),
          cell,
          "–",
          "–",
          target,
          met);
    }
    report.note(
        "Heap: *live* = most heap in use right after a full GC (System.gc() every "
            + MemoryProbe.SAMPLE_MILLIS
            + " ms while streaming); *peak used* = sum of heap pools' peak usage since"
            + " ACTIVE (includes uncollected garbage, so it also reflects G1's young-generation sizing); halves: max"
            + " live in the first and the second half of the streaming time (a leak shows as a higher second half).");
  }

  /** A half with no sample (a stream shorter than two sampling periods) shows as a dash. */
  private static String halfCell(long bytes) {
    return bytes == 0 ? "–" : Report.mib(bytes);
  }

  // ---------------------------------------------------------------- machine facts

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // Not Linux: say so rather than fail.
    }
    return System.getProperty("os.arch");
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " / " + f[1] + " / " + f[2] + " (1 / 5 / 15 min)";
    } catch (IOException e) {
      return "unknown";
    }
  }
}
