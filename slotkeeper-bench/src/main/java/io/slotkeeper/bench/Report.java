package io.slotkeeper.bench;

import java.util.ArrayList;
import java.util.List;

/** The one results table (markdown), built row by row as the benchmarks finish. */
final class Report {
  private final List<String> facts = new ArrayList<>();
  private final List<String[]> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  void fact(String name, String value) {
    facts.add("| " + name + " | " + value + " |");
  }

  void row(
      String benchmark,
      String slotkeeper,
      String baseline,
      String ratio,
      String target,
      String met) {
    rows.add(new String[] {benchmark, slotkeeper, baseline, ratio, target, met});
  }

  void note(String text) {
    notes.add(text);
  }

  String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("| machine | |\n|---|---|\n");
    facts.forEach(f -> sb.append(f).append('\n'));
    sb.append('\n');
    sb.append(
        "| benchmark | Slotkeeper | pgjdbc baseline | Slotkeeper / baseline | target | met |\n");
    sb.append("|---|---:|---:|---:|---|---|\n");
    for (String[] r : rows) {
      sb.append("| ").append(String.join(" | ", r)).append(" |\n");
    }
    if (!notes.isEmpty()) {
      sb.append('\n');
      notes.forEach(n -> sb.append("- ").append(n).append('\n'));
    }
    return sb.toString();
  }

  static String millions(double v) {
    return String.format(java.util.Locale.ROOT, "%.2f M", v / 1e6);
  }

  static String thousands(double v) {
    return String.format(java.util.Locale.ROOT, "%,.0f", v);
  }

  static String ms(long micros) {
    return String.format(java.util.Locale.ROOT, "%.1f", micros / 1000.0);
  }

  static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  static String ratio(double v) {
    return String.format(java.util.Locale.ROOT, "%.2f×", v);
  }
}
