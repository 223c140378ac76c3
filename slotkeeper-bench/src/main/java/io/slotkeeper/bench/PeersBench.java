package io.slotkeeper.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Issue 16's catch-up comparison with the peers users compare with, same run, same WAL: the thin
 * pgjdbc loop, Slotkeeper's embedded source, {@code pg_recvlogical} (when installed) and the
 * program ({@code slotkeeper stream}) each writing to a pipe, and Debezium embedded with JSON
 * output in its own JVM. Per contender: changes/s (from start, and from the first change on), the
 * client's CPU per change from its first change on, its peak RSS while catching up (child
 * processes) and its RSS and CPU share when idle on a quiet slot.
 */
final class PeersBench {
  private static final int IDLE_SECONDS = 10;

  private PeersBench() {}

  static void run(
      BenchDb db,
      ActorSystem<?> system,
      int rows,
      int transactionRows,
      int runs,
      int warmUpRows,
      Report report,
      PrintStream log)
      throws Exception {
    Contender thin = new BaselineContender();
    Contender embedded = new SlotkeeperContender(system);
    Contender program = new ProgramContender(ProgramContender.builtJar());
    Contender debezium = new DebeziumContender(DebeziumContender.builtClassPath());
    Optional<Path> recvlogical = PgRecvlogicalContender.installed();
    List<Contender> all = new ArrayList<>(List.of(thin, embedded, program, debezium));
    Contender pgrl = null;
    if (recvlogical.isPresent()) {
      pgrl = new PgRecvlogicalContender(recvlogical.get());
      all.add(2, pgrl);
      log.println("peers: pg_recvlogical is " + recvlogical.get());
    } else {
      log.println("peers: no pg_recvlogical installed (SLOTKEEPER_PG_RECVLOGICAL): left out");
    }
    // SLOTKEEPER_PEERS=thin,embedded,program (any of those and pg_recvlogical, debezium): only
    // these, for profiling one contender against the thin loop without the full run's time.
    String only = System.getenv("SLOTKEEPER_PEERS");
    if (only != null && !only.isEmpty()) {
      List<String> keep = List.of(only.split(","));
      all.removeIf(c -> !keep.contains(shortName(c)));
    }
    CatchUpBench bench = new CatchUpBench(db, all, log);
    bench.warmUp(warmUpRows);
    CatchUpBench.Result r = bench.run("insert", rows, transactionRows, runs);

    String head =
        String.format(
            Locale.ROOT,
            "Peers, catch-up of %,d inserts in %,d-row tx, median of %d runs: ",
            r.events(),
            r.transactionRows(),
            runs);
    // With SLOTKEEPER_PEERS, only the rows whose contenders all ran.
    if (has(all, embedded, thin)) {
      rateRow(report, r, head, embedded, thin, "≥ 0.95×", 0.95);
    }
    if (pgrl != null && has(all, program, pgrl)) {
      rateRow(report, r, head, program, pgrl, "≥ 0.95×", 0.95);
    }
    if (pgrl != null && has(all, pgrl, thin)) {
      rateRow(report, r, head, pgrl, thin, "–", 0);
    }
    if (has(all, program, thin)) {
      rateRow(report, r, head, program, thin, "–", 0);
    }
    if (has(all, debezium, thin)) {
      rateRow(report, r, head, debezium, thin, "–", 0);
    }
    if (has(all, program, debezium)) {
      rateRow(report, r, head, program, debezium, "–", 0);
    }
    if (has(all, embedded, thin)) {
      cpuRow(report, r, head, embedded, thin, "≤ 1.3×", 1.3);
    }
    if (has(all, program, thin)) {
      cpuRow(report, r, head, program, thin, "≤ 1.3×", 1.3);
    }
    if (pgrl != null && has(all, pgrl, thin)) {
      cpuRow(report, r, head, pgrl, thin, "–", 0);
    }
    if (has(all, debezium, thin)) {
      cpuRow(report, r, head, debezium, thin, "–", 0);
    }

    // Memory: the children's own RSS (the in-process contenders share this JVM's).
    List<Contender> children = new ArrayList<>(List.of(program, debezium));
    if (pgrl != null) {
      children.add(1, pgrl);
    }
    children.retainAll(all);
    for (Contender c : children) {
      CatchUpBench.Idle i = bench.idle(c, IDLE_SECONDS);
      log.printf(
          "peers idle %-18s RSS %.1f MiB, CPU %.2f%% of a core%n",
          c.name(), i.rssBytes() / 1048576.0, i.cpuShare() * 100);
      report.row(
          head.replace("catch-up of", "memory after catching up")
              + c.name()
              + ": peak RSS while catching up (VmHWM, median) / RSS idle on a quiet slot after "
              + IDLE_SECONDS
              + " s (VmRSS) / CPU share idle over the next "
              + IDLE_SECONDS
              + " s",
          Report.mib((long) CatchUpBench.Result.median(r.peakRssBytes(), c.name()))
              + " / "
              + Report.mib(i.rssBytes())
              + String.format(Locale.ROOT, " / %.2f%% of a core", i.cpuShare() * 100),
          "–",
          "–",
          "–",
          "–");
    }
    report.note(
        "Peers: client CPU = user+sys of the client process (/proc/PID/stat) from its first change"
            + " (child processes: first output) to the last, over the changes; the in-process"
            + " contenders (thin loop, embedded source) are this JVM. changes/s counts from before"
            + " the start (a child's JVM start-up included); 'from 1st' from the first change. Ratios:"
            + " the median of each run's ratio (the two ran next to each other) is the figure"
            + " and decides 'met'; the ratio of the two medians is shown too.");
  }

  private static String shortName(Contender c) {
    return switch (c.name()) {
      case "pgjdbc baseline" -> "thin";
      case "slotkeeper" -> "embedded";
      case "slotkeeper stream" -> "program";
      case "debezium embedded" -> "debezium";
      default -> c.name();
    };
  }

  private static void rateRow(
      Report report,
      CatchUpBench.Result r,
      String head,
      Contender c,
      Contender base,
      String target,
      double min) {
    double[] ratios = perRun(r.eventsPerSecond(), c, base);
    double m = Stats.median(ratios);
    double[] steady = perRun(r.steadyEventsPerSecond(), c, base);
    report.row(
        head + c.name() + " vs " + base.name() + ", changes/s",
        cell(r, c),
        cell(r, base),
        ratioCell(ratios, r.median(c.name()) / r.median(base.name()))
            + String.format(
                Locale.ROOT, "<br>from 1st change %.2f× (median per run)", Stats.median(steady)),
        target,
        min == 0 ? "–" : m >= min ? "yes" : "**no**");
  }

  /**
   * Each run's ratio of {@code c} to {@code base}: the runs alternate, so the two contenders of one
   * run ran next to each other and share the machine's load of that moment.
   */
  private static double[] perRun(
      java.util.Map<String, List<Double>> values, Contender c, Contender base) {
    List<Double> a = values.get(c.name());
    List<Double> b = values.get(base.name());
    double[] ratios = new double[a.size()];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = a.get(i) / b.get(i);
    }
    return ratios;
  }

  /** The median of the per-run ratios (the figure), the runs' own, and the ratio of medians. */
  private static String ratioCell(double[] ratios, double ofMedians) {
    StringBuilder sb =
        new StringBuilder(Report.ratio(Stats.median(ratios))).append(" median per run (");
    for (int i = 0; i < ratios.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", ratios[i]));
    }
    return sb.append(String.format(Locale.ROOT, ")<br>ratio of medians %.2f×", ofMedians))
        .toString();
  }

  private static String cell(CatchUpBench.Result r, Contender c) {
    return Report.thousands(r.median(c.name()))
        + " "
        + list(r.eventsPerSecond().get(c.name()), "%.0f")
        + String.format(
            Locale.ROOT,
            "<br>from 1st change %s",
            Report.thousands(CatchUpBench.Result.median(r.steadyEventsPerSecond(), c.name())))
        + String.format(
            Locale.ROOT,
            "<br>walsender on CPU %.0f%%",
            100 * CatchUpBench.Result.median(r.walsenderBusy(), c.name()));
  }

  private static void cpuRow(
      Report report,
      CatchUpBench.Result r,
      String head,
      Contender c,
      Contender base,
      String target,
      double max) {
    double v = CatchUpBench.Result.median(r.clientCpuMicrosPerChange(), c.name());
    double b = CatchUpBench.Result.median(r.clientCpuMicrosPerChange(), base.name());
    double[] ratios = perRun(r.clientCpuMicrosPerChange(), c, base);
    double m = Stats.median(ratios);
    report.row(
        head + c.name() + " vs " + base.name() + ", client CPU µs per change",
        String.format(Locale.ROOT, "%.2f ", v)
            + list(r.clientCpuMicrosPerChange().get(c.name()), "%.2f"),
        String.format(Locale.ROOT, "%.2f ", b)
            + list(r.clientCpuMicrosPerChange().get(base.name()), "%.2f"),
        ratioCell(ratios, v / b),
        target,
        max == 0 ? "–" : m <= max ? "yes" : "**no**");
  }

  private static String list(List<Double> values, String format) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < values.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, format, values.get(i)));
    }
    return sb.append(')').toString();
  }

  private static boolean has(List<Contender> ran, Contender a, Contender b) {
    return ran.contains(a) && ran.contains(b);
  }
}
