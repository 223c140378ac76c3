package io.slotkeeper.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Heap while streaming one big transaction: for each size, one INSERT of that many rows is
 * committed into a slot, then a fresh child JVM ({@link MemoryProbe}, small fixed heap) streams it.
 * If the source kept a transaction's rows, the larger sizes would run out of heap or show a larger
 * live set; they must not.
 */
final class MemoryBench {

  /**
   * {@code liveFirstHalf}/{@code liveSecondHalf}: max live heap in each half of the streaming time.
   */
  record Result(
      long rows,
      boolean ok,
      String error,
      double seconds,
      long liveBytes,
      long liveFirstHalf,
      long liveSecondHalf,
      long peakBytes,
      long maxHeap,
      double writeSeconds) {}

  private final BenchDb db;
  private final PrintStream log;
  private final String heap;

  MemoryBench(BenchDb db, PrintStream log, String heap) {
    this.db = db;
    this.log = log;
    this.heap = heap;
  }

  List<Result> run(long[] sizes) throws Exception {
    db.execute("CREATE TABLE mem (id bigint, a int, b int, note text)");
    db.execute("CREATE PUBLICATION mem_pub FOR TABLE mem");
    List<Result> results = new ArrayList<>();
    try {
      for (long rows : sizes) {
        results.add(runOne(rows));
      }
    } finally {
      db.execute("DROP PUBLICATION mem_pub");
      db.execute("DROP TABLE mem");
    }
    return results;
  }

  private Result runOne(long rows) throws Exception {
    String slot = "mem_" + rows;
    db.createSlot(slot);
    long t0 = System.nanoTime();
    db.execute(
        "INSERT INTO mem SELECT g, g % 1000, g * 2, 'row ' || g FROM generate_series(1, "
            + rows
            + ") g");
    double writeSeconds = (System.nanoTime() - t0) / 1e9;
    Result result;
    try {
      result = child(slot, rows, writeSeconds);
    } finally {
      db.dropSlot(slot);
      db.execute("TRUNCATE mem");
    }
    if (result.ok()) {
      log.printf(
          "memory %,d-row transaction (-Xmx%s): live max %.1f MiB (1st half %.1f, 2nd half %.1f),"
              + " peak used %.1f MiB, streamed in %.1f s%n",
          rows,
          heap,
          result.liveBytes() / 1048576.0,
          result.liveFirstHalf() / 1048576.0,
          result.liveSecondHalf() / 1048576.0,
          result.peakBytes() / 1048576.0,
          result.seconds());
    } else {
      log.printf("memory %,d-row transaction (-Xmx%s): FAILED %s%n", rows, heap, result.error());
    }
    return result;
  }

  /** {@code -Dname=value} for each of {@code props} that configures the engine or Pekko, sorted. */
  static List<String> forwardedProperties(java.util.Properties props) {
    List<String> out = new ArrayList<>();
    for (String name : new java.util.TreeSet<>(props.stringPropertyNames())) {
      if (name.startsWith("slotkeeper.") || name.startsWith("pekko.")) {
        out.add("-D" + name + "=" + props.getProperty(name));
      }
    }
    return out;
  }

  private Result child(String slot, long rows, double writeSeconds) throws Exception {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of(java.toString(), "-Xms" + heap, "-Xmx" + heap, "-XX:+UseG1GC"));
    // What the bench's own command line sets for the engine reaches the child too, so a setting
    // tried with -Dslotkeeper.* (or -Dpekko.*) is measured here as in the other benchmarks.
    cmd.addAll(forwardedProperties(System.getProperties()));
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            MemoryProbe.class.getName(),
            db.pg.jdbcUrl(),
            db.pg.superuser(),
            db.pg.superuserPassword(),
            slot,
            "mem_pub",
            Long.toString(rows)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String resultLine = null;
    StringBuilder tail = new StringBuilder();
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("RESULT ")) {
          resultLine = line;
        } else {
          tail.append(line).append('\n');
          if (tail.length() > 4000) {
            tail.delete(0, tail.length() - 4000);
          }
        }
      }
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    if (resultLine == null || !resultLine.contains("live=")) {
      String why =
          tail.toString().contains("OutOfMemoryError")
              ? "OutOfMemoryError"
              : "exit " + p.exitValue();
      log.println(
          "memory probe for " + rows + " rows failed (" + why + "); its last output:\n" + tail);
      return new Result(
          rows,
          false,
          why + (resultLine == null ? "" : " " + resultLine),
          0,
          0,
          0,
          0,
          0,
          0,
          writeSeconds);
    }
    return new Result(
        rows,
        true,
        null,
        Double.parseDouble(field(resultLine, "seconds")),
        Long.parseLong(field(resultLine, "live")),
        Long.parseLong(field(resultLine, "live1")),
        Long.parseLong(field(resultLine, "live2")),
        Long.parseLong(field(resultLine, "peak")),
        Long.parseLong(field(resultLine, "max")),
        writeSeconds);
  }

  private static String field(String line, String name) {
    for (String part : line.split(" ")) {
      if (part.startsWith(name + "=")) {
        return part.substring(name.length() + 1);
      }
    }
    throw new IllegalArgumentException("no " + name + " in " + line);
  }
}
