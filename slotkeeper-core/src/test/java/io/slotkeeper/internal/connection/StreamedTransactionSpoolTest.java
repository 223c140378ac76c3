package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.SpoolSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's bookkeeping without a server: what an aborted subtransaction drops, that schema
 * messages survive it, that entries keep their order across the memory/disk boundary, and that
 * files go when their transaction does. The server side is covered by StreamedTransactionsPg*IT.
 */
class StreamedTransactionSpoolTest {
  @TempDir Path dir;

  private StreamedTransactionSpool spool(long memoryBudget) {
    return new StreamedTransactionSpool(
        new SpoolSettings(memoryBudget, dir.toString(), 1L << 20), "t_slot");
  }

  private static void add(
      StreamedTransactionSpool s, long xid, long sub, boolean schema, long lsn, String text)
      throws IOException {
    s.add(xid, sub, schema, Lsn.of(lsn), text.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> replay(StreamedTransactionSpool s, long xid) throws IOException {
    SpooledTransaction t = s.commit(xid);
    SpooledTransaction.Replay r = t.replay();
    List<String> out = new ArrayList<>();
    SpoolRecord rec;
    while ((rec = r.next()) != null) {
      out.add(new String(rec.payload(), StandardCharsets.UTF_8));
    }
    s.release(t);
    return out;
  }

  private long files() throws IOException {
    try (Stream<Path> f = Files.list(dir)) {
      return f.count();
    }
  }

  @Test
  void anAbortedSubtransactionDropsItsEntriesAndItsChildrenButKeepsSchema() throws IOException {
    for (long budget : new long[] {1 << 20, 6}) { // all in memory; mostly on disk
      StreamedTransactionSpool s = spool(budget);
      add(s, 100, 100, true, 0, "rel");
      add(s, 100, 100, false, 10, "a");
      add(s, 100, 101, false, 20, "b"); // SAVEPOINT s1
      add(s, 100, 101, true, 0, "rel2"); // schema sent inside the subtransaction
      add(s, 100, 102, false, 30, "c"); // SAVEPOINT s2 inside s1
      s.abort(100, 101); // ROLLBACK TO s1: s1 and s2
      add(s, 100, 100, false, 40, "d");
      add(s, 100, 103, false, 50, "e"); // a later subtransaction, kept
      s.abort(100, 999); // a subtransaction of which nothing was streamed: nothing to do
      assertThat(s.oldestInProgress()).isEqualTo(Lsn.of(10));
      if (budget == 6) {
        assertThat(s.diskBytes()).isPositive();
        assertThat(files()).isEqualTo(1);
      }
      assertThat(replay(s, 100)).containsExactly("rel", "a", "rel2", "d", "e");
      assertThat(s.memoryBytes()).isZero();
      assertThat(s.diskBytes()).isZero();
      assertThat(files()).isZero();
      assertThat(s.oldestInProgress()).isNull();
    }
  }

  @Test
  void aWholeAbortDropsTheTransactionAndItsFileOnly() throws IOException {
    StreamedTransactionSpool s = spool(4);
    add(s, 1, 1, false, 100, "x1");
    add(s, 2, 2, false, 50, "y1");
    add(s, 1, 1, false, 110, "x2");
    add(s, 2, 2, false, 120, "y2");
    assertThat(files()).isEqualTo(2);
    assertThat(s.oldestInProgress()).isEqualTo(Lsn.of(50));
    s.abort(2, 2);
    assertThat(files()).isEqualTo(1);
    assertThat(s.oldestInProgress()).isEqualTo(Lsn.of(100));
    assertThat(replay(s, 1)).containsExactly("x1", "x2");
    assertThat(s.commit(2)).as("an aborted transaction is gone").isNull();
  }

  @Test
  void theDiskLimitIsReportedAndCloseDeletesEverything() throws IOException {
    StreamedTransactionSpool s =
        new StreamedTransactionSpool(new SpoolSettings(0, dir.toString(), 40), "t_slot");
    add(s, 7, 7, false, 1, "0123456789");
    assertThat(s.diskFull()).isFalse();
    add(s, 7, 7, false, 2, "0123456789");
    assertThat(s.diskFull()).isTrue();
    s.close();
    assertThat(files()).isZero();
    assertThat(s.diskFull()).isFalse();
  }

  @Test
  void aRelationMessageSentAtZeroDoesNotHideTheFirstChangesPosition() throws IOException {
    StreamedTransactionSpool s = spool(1 << 20);
    add(s, 5, 5, true, 0, "rel");
    assertThat(s.oldestInProgress()).isNull();
    add(s, 5, 5, false, 77, "a");
    assertThat(s.oldestInProgress()).isEqualTo(Lsn.of(77));
  }
}
