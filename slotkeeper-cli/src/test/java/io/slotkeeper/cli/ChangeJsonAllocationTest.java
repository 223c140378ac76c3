package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.flowtestkit.javadsl.EnvelopeBuilder;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import io.slotkeeper.pgoutput.TupleData;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * What writing one change line allocates besides the values' own text: the lines of a transaction
 * share their commit time and commit LSN, so neither is formatted again for every line. Issue 16's
 * profile of a 1,000,000-insert catch-up found Instant.toString and Lsn.toString (hex strings,
 * upper-cased, concatenated) at 15% of the program's samples. Counted in bytes allocated by this
 * thread (HotSpot's per-thread counter), not timed. The values here are already text, so the line
 * itself is all that allocates.
 */
class ChangeJsonAllocationTest {
  private static final int LINES = 20_000;
  private static final Relation T =
      new Relation(
          0,
          16384,
          "public",
          "items",
          Relation.REPLICA_IDENTITY_DEFAULT,
          List.of(
              new RelationColumn("id", 20, -1, true),
              new RelationColumn("a", 23, -1, false),
              new RelationColumn("note", 25, -1, false)));

  @Test
  void linesOfOneTransactionDoNotFormatItsTimeAndPositionsAgain() {
    // Values that are already Strings (ColumnValue.text(String) keeps it).
    assertThat(bytesPerLine(i -> ColumnValue.text(i)))
        .as("bytes allocated per line")
        .isLessThan(100);
  }

  /**
   * Values as the decoder makes them, bytes without a String: the line takes their bytes as they
   * are (LineBytes). Decoding each value to a String and the batch back to UTF-8 allocated 150-200
   * bytes a line here.
   */
  @Test
  void valuesGoIntoTheLineWithoutBecomingStrings() {
    assertThat(bytesPerLine(i -> ColumnValue.text(i.getBytes(StandardCharsets.UTF_8))))
        .as("bytes allocated per line")
        .isLessThan(100);
  }

  private static long bytesPerLine(Function<String, ColumnValue> value) {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeThat(bean).isInstanceOf(com.sun.management.ThreadMXBean.class);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);

    EnvelopeBuilder envelopes = EnvelopeBuilder.create();
    Instant commitTime = Instant.parse("2025-05-01T12:00:00.123456Z");
    Lsn commit = Lsn.parse("1A/16B3800");
    // Every line its own values, as from the stream (a value keeps the String it was asked for).
    ChangeEnvelope[] lines = new ChangeEnvelope[2 * LINES];
    for (int i = 0; i < lines.length; i++) {
      Insert insert =
          new Insert(
              0,
              T,
              TupleData.of(
                  value.apply(Integer.toString(i)), value.apply("7"), value.apply("row " + i)));
      lines[i] =
          envelopes.envelope(
              insert, Lsn.parse("1A/16B3748").plus(i * 64L), 751, commit, commitTime);
    }
    LineBytes sb = new LineBytes(1 << 20);
    for (int i = 0; i < LINES; i++) {
      // Warm: the first lines load classes and run interpreted.
      ChangeJson.append(sb, lines[i], false);
      sb.clear();
    }
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    for (int i = LINES; i < 2 * LINES; i++) {
      ChangeJson.append(sb, lines[i], false);
      sb.clear();
    }
    // Formatting the time alone takes several hundred bytes; each LSN as text about a hundred.
    return (threads.getThreadAllocatedBytes(tid) - before) / LINES;
  }
}
