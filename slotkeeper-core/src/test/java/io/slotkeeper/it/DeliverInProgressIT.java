package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.StreamAbort;
import io.slotkeeper.pgoutput.StreamCommit;
import io.slotkeeper.pgoutput.StreamStart;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15, deliver-in-progress = on: a streamed transaction's chunks reach the consumer before it
 * commits, as STREAM_START / changes / STREAM_STOP / STREAM_ABORT / STREAM_COMMIT elements. A
 * consumer that applies them provisionally (dropping aborted subtransactions and transactions) ends
 * with exactly the committed rows, and only STREAM_COMMIT offsets move the slot.
 */
class DeliverInProgressIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().version(14).setting("logical_decoding_work_mem", "64kB").build();

  /** What a provisional consumer holds per streamed xid: (subtransaction xid, row id). */
  private static final class Provisional {
    final Map<Long, List<long[]>> open = new HashMap<>();
    final List<String> committed = new ArrayList<>();
    int inProgressInserts;

    void apply(ChangeEnvelope e) {
      switch (e.kind()) {
        case STREAM_START -> {
          if (((StreamStart) e.message()).firstSegment()) {
            open.put(e.xid(), new ArrayList<>());
          }
        }
        case INSERT -> {
          Insert i = (Insert) e.message();
          long id = Long.parseLong(i.newTuple().get(0).text());
          if (e.inProgress()) {
            inProgressInserts++;
            open.get(e.xid()).add(new long[] {i.xid(), id});
          } else {
            committed.add(Long.toString(id));
          }
        }
        case STREAM_ABORT -> {
          StreamAbort a = (StreamAbort) e.message();
          if (a.xid() == a.subXid()) {
            open.remove(a.xid());
          } else {
            List<long[]> rows = open.get(a.xid());
            for (int k = 0; k < rows.size(); k++) {
              if (rows.get(k)[0] == a.subXid()) {
                rows.subList(k, rows.size()).clear();
                break;
              }
            }
          }
        }
        case STREAM_COMMIT -> {
          for (long[] r : open.remove(((StreamCommit) e.message()).xid())) {
            committed.add(Long.toString(r[1]));
          }
        }
        default -> {}
      }
    }
  }

  private static String insert(int from, int to) {
    return "INSERT INTO ip SELECT g, repeat('x', 500) FROM generate_series("
        + from
        + ", "
        + to
        + ") g";
  }

  private static List<String> ids(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(Integer::toString).toList();
  }

  @Test
  void chunksArriveBeforeTheCommitAndAProvisionalConsumerEndsWithTheCommittedRows()
      throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE ip (id int PRIMARY KEY, pad text)");
    pg.execute("CREATE PUBLICATION ip_pub FOR TABLE ip");
    pg.execute("SELECT pg_create_logical_replication_slot('ip_slot', 'pgoutput')");
    SourceSettings settings =
        Harness.settings(pg, "ip_slot", "ip_pub").withStreaming(StreamSettings.Streaming.ON);
    // No idle advance: the slot moves only by acknowledgements, which is what is checked.
    settings =
        settings.withStream(settings.stream().withDeliverInProgress(true).withIdleAdvance(false));
    Provisional consumer = new Provisional();
    Harness.Consumer recorder = new Harness.Consumer();
    recorder.autoAck = e -> false; // acknowledged below, to see what moves the slot
    try (Harness h = Harness.start(kit.system(), settings, recorder)) {
      h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      String slotBefore =
          pg.queryString(
              "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'ip_slot'");
      try (Connection c = pg.connect();
          Statement s = c.createStatement()) {
        c.setAutoCommit(false);
        s.execute(insert(1, 300));
        s.execute("SAVEPOINT a");
        s.execute(insert(1001, 1300));
        Harness.await(
            "rows of the open transaction to arrive before its commit",
            Duration.ofSeconds(30),
            () ->
                recorder.received.stream()
                    .anyMatch(
                        e ->
                            e.inProgress()
                                && e.message() instanceof Insert i
                                && Integer.parseInt(i.newTuple().get(0).text()) >= 1001));
        s.execute("ROLLBACK TO SAVEPOINT a");
        s.execute(insert(2001, 2300));
        // Every in-progress element acknowledged: the slot must not move. (Only those: a whole
        // transaction committed before, such as the least-privilege run's GRANTs, which 14 sends
        // as an empty one, would move it rightly.)
        for (ChangeEnvelope e : List.copyOf(recorder.received)) {
          if (e.inProgress()) {
            e.committableOffset().commit().toCompletableFuture().get();
          }
        }
        Thread.sleep(1000);
        assertThat(
                pg.queryString(
                    "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'ip_slot'"))
            .as("in-progress offsets acknowledge nothing")
            .isEqualTo(slotBefore);
        c.commit();
        s.execute(insert(5001, 5300));
        Harness.await(
            "the aborted transaction's rows to arrive before it aborts",
            Duration.ofSeconds(30),
            () ->
                recorder.received.stream()
                    .anyMatch(
                        e ->
                            e.inProgress()
                                && e.message() instanceof Insert i
                                && Integer.parseInt(i.newTuple().get(0).text()) >= 5001));
        c.rollback();
        s.execute(insert(9999, 9999));
        c.commit();
      }
      Harness.await(
          "the marker row", Duration.ofSeconds(60), () -> recorder.insertedIds().contains("9999"));
      recorder.received.forEach(consumer::apply);
      List<String> expected = new ArrayList<>();
      expected.addAll(ids(1, 300));
      expected.addAll(ids(2001, 2300));
      expected.add("9999");
      assertThat(consumer.committed).isEqualTo(expected);
      assertThat(consumer.inProgressInserts).isGreaterThanOrEqualTo(900);
      assertThat(consumer.open).as("no transaction left open").isEmpty();
      ChangeEnvelope streamCommit =
          recorder.received.stream()
              .filter(e -> e.kind() == ChangeEnvelope.Kind.STREAM_COMMIT)
              .findFirst()
              .orElseThrow();
      streamCommit.committableOffset().commit().toCompletableFuture().get();
      String end = ((StreamCommit) streamCommit.message()).endLsn().toString();
      Harness.await(
          "the slot to move to the STREAM_COMMIT's end",
          Duration.ofSeconds(10),
          () ->
              pg.queryLong(
                      "SELECT (confirmed_flush_lsn >= '"
                          + end
                          + "')::int FROM pg_replication_slots WHERE slot_name = 'ip_slot'")
                  == 1);
    }
  }
}
