package io.slotkeeper.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * GET /status says what the source waits for and why it failed from the status's fields, not from
 * its words.
 */
class StatusJsonTest {
  private static Map<String, Object> json(SourceStatus s) {
    return json(s, SourceProgress.none());
  }

  private static Map<String, Object> json(SourceStatus s, SourceProgress p) {
    return TestJson.object(Json.write(HttpStatusServer.statusJson(probe(s, p))));
  }

  private static HttpStatusServer.Probe probe(SourceStatus s, SourceProgress progress) {
    return new HttpStatusServer.Probe() {
      @Override
      public String slot() {
        return "s";
      }

      @Override
      public boolean live() {
        return true;
      }

      @Override
      public SourceStatus status() {
        return s;
      }

      @Override
      public SourceProgress progress() {
        return progress;
      }

      @Override
      public long rowsWritten() {
        return 0;
      }

      @Override
      public double rowsPerSecond() {
        return 0;
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> obj(Object o) {
    return (Map<String, Object>) o;
  }

  @Test
  void theConnectedServerIsShownAndNullBeforeTheFirstConnection() {
    SourceStatus active =
        new SourceStatus(StatusLevel.ACTIVE, "streaming", Instant.EPOCH, null, null, null);
    assertThat(json(active)).containsEntry("server", null);
    SourceProgress none = SourceProgress.none();
    SourceProgress onPromoted =
        new SourceProgress(
            none.receivedLsn(),
            none.confirmedLsn(),
            1,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            -1,
            -1,
            "",
            -1,
            -1,
            Optional.of(
                new io.slotkeeper.ConnectedServer(
                    "db2.example", 5433, "7300000000000000001", 2, false)),
            none.snapshot());
    assertThat(obj(json(active, onPromoted).get("server")))
        .containsEntry("host", "db2.example")
        .containsEntry("port", 5433L)
        .containsEntry("system_identifier", "7300000000000000001")
        .containsEntry("timeline", 2L)
        .containsEntry("role", "primary");
  }

  @Test
  void aWaitIsShownFromItsFields() {
    Map<String, Object> blocked =
        json(
            new SourceStatus(
                StatusLevel.STARTING,
                "creating replication slot s: ...",
                Instant.EPOCH,
                null,
                null,
                new Waiting.CreationBlocked(
                    List.of(42, 43), new Waiting.HealOutcomes(3, 2, 0, 1), Duration.ofSeconds(4))));
    assertThat(obj(blocked.get("waiting")))
        .containsEntry("kind", "creation_blocked")
        .containsEntry("blocker_pids", List.of(42L, 43L))
        .containsEntry("waited_ms", 4000L);
    assertThat(obj(obj(blocked.get("waiting")).get("heal")))
        .containsEntry("attempts", 3L)
        .containsEntry("succeeded", 2L)
        .containsEntry("failed", 1L);
    assertThat(obj(blocked.get("waiting")))
        .containsEntry("waits_for_primary", false)
        .containsEntry("heal_needs_setting", null);

    // Issue 13: a slot created on a standby waits for the primary.
    Map<String, Object> onStandby =
        json(
            new SourceStatus(
                StatusLevel.STARTING,
                "creating replication slot s: ...",
                Instant.EPOCH,
                null,
                null,
                new Waiting.CreationBlocked(
                    List.of(),
                    new Waiting.HealOutcomes(2, 0, 2, 0),
                    Duration.ofSeconds(1),
                    true,
                    Optional.of("slotkeeper.source.admin.primary-url"))));
    assertThat(obj(onStandby.get("waiting")))
        .containsEntry("waits_for_primary", true)
        .containsEntry("heal_needs_setting", "slotkeeper.source.admin.primary-url");

    Map<String, Object> busy =
        json(
            new SourceStatus(
                StatusLevel.STARTING,
                "busy",
                Instant.EPOCH,
                null,
                null,
                new Waiting.SlotBusy(
                    OptionalInt.of(7), Optional.of("other"), Duration.ofMillis(400))));
    assertThat(obj(busy.get("waiting")))
        .containsEntry("kind", "slot_busy")
        .containsEntry("holder_pid", 7L)
        .containsEntry("application_name", "other")
        .containsEntry("next_retry_ms", 400L);
    assertThat(busy).doesNotContainKey("failure");

    assertThat(json(new SourceStatus(StatusLevel.ACTIVE, "streaming", Instant.EPOCH, null)))
        .doesNotContainKeys("waiting", "failure");
  }

  @Test
  void aFailureIsShownFromItsFields() {
    SourceFailedException e =
        new SourceFailedException(
            FailureKind.SLOT_INVALIDATED,
            "slot s has been invalidated",
            "re-create it",
            Lsn.parse("0/16B3748"),
            null);
    Map<String, Object> failed =
        json(new SourceStatus(StatusLevel.FAILED, e.getMessage(), Instant.EPOCH, null, e, null));
    assertThat(failed).containsEntry("reason", "slot s has been invalidated. Fix: re-create it");
    assertThat(obj(failed.get("failure")))
        .containsEntry("kind", "slot_invalidated")
        .containsEntry("problem", "slot s has been invalidated")
        .containsEntry("remediation", "re-create it")
        .containsEntry("slot_confirmed_lsn", "0/16B3748");
  }

  /** Issue 12: the online backfill's figures in /status, as progress() has them. */
  @Test
  void theBackfillsFiguresAreInStatus() {
    SourceProgress none = SourceProgress.none();
    SourceProgress p =
        new SourceProgress(
            none.receivedLsn(),
            none.confirmedLsn(),
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            -1,
            -1,
            "",
            -1,
            -1,
            Optional.empty(),
            none.snapshot(),
            new io.slotkeeper.BackfillProgress(
                io.slotkeeper.BackfillProgress.State.RUNNING,
                "public.orders",
                12,
                40,
                11_800,
                35,
                List.of("public.items"),
                Duration.ofSeconds(14),
                List.of("public.gone: dropped mid-backfill")));
    SourceStatus s =
        new SourceStatus(
            StatusLevel.ACTIVE, p.backfill().describe(), Instant.EPOCH, null, null, null);
    Map<String, Object> status =
        TestJson.object(Json.write(HttpStatusServer.statusJson(probe(s, p))));
    assertThat(status.get("reason"))
        .isEqualTo(
            "backfill: public.orders 12/40 chunks, 11.8k rows (35 from the stream), 14 s,"
                + " queued public.items; ended public.gone: dropped mid-backfill");
    assertThat(obj(status.get("backfill")))
        .containsEntry("state", "running")
        .containsEntry("table", "public.orders")
        .containsEntry("chunks", 12L)
        .containsEntry("chunks_estimated", 40L)
        .containsEntry("rows", 11_800L)
        .containsEntry("rows_from_stream", 35L)
        .containsEntry("queued", List.of("public.items"))
        .containsEntry("elapsed_ms", 14_000L)
        .containsEntry("ended", List.of("public.gone: dropped mid-backfill"));
  }

  /** Issue 12: the snapshot's figures, in /status and /metrics, as progress() has them. */
  @Test
  void theSnapshotsFiguresAreInStatusAndMetrics() {
    SourceProgress none = SourceProgress.none();
    SourceProgress p =
        new SourceProgress(
            none.receivedLsn(),
            none.confirmedLsn(),
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            -1,
            -1,
            "",
            -1,
            -1,
            Optional.empty(),
            new SnapshotProgress(
                SnapshotProgress.State.READING,
                "public.orders",
                2,
                5,
                3,
                12,
                1_234_567,
                Duration.ofSeconds(40),
                List.of("public.gone: dropped")));
    SourceStatus s =
        new SourceStatus(
            StatusLevel.ACTIVE, p.snapshot().describe(), Instant.EPOCH, null, null, null);
    Map<String, Object> status =
        TestJson.object(Json.write(HttpStatusServer.statusJson(probe(s, p))));
    assertThat(status.get("reason"))
        .isEqualTo(
            "snapshot: public.orders 3/12 chunks, table 3/5, 1.2M rows, 40 s;"
                + " skipped public.gone: dropped");
    assertThat(obj(status.get("snapshot")))
        .containsEntry("state", "reading")
        .containsEntry("table", "public.orders")
        .containsEntry("chunks", 3L)
        .containsEntry("chunks_estimated", 12L)
        .containsEntry("tables_done", 2L)
        .containsEntry("tables_total", 5L)
        .containsEntry("rows", 1_234_567L)
        .containsEntry("elapsed_ms", 40_000L)
        .containsEntry("skipped", List.of("public.gone: dropped"));
    assertThat(HttpStatusServer.metrics(probe(s, p)))
        .contains(
            "slotkeeper_snapshot_rows_total{slot=\"s\"} 1234567\n",
            "slotkeeper_snapshot_tables_done{slot=\"s\"} 2\n",
            "slotkeeper_snapshot_tables_total{slot=\"s\"} 5\n",
            "slotkeeper_snapshot_tables_skipped{slot=\"s\"} 1\n",
            "slotkeeper_snapshot_elapsed_seconds{slot=\"s\"} 40.000\n",
            "slotkeeper_snapshot_state{slot=\"s\",state=\"reading\"} 1\n",
            "slotkeeper_snapshot_state{slot=\"s\",state=\"done\"} 0\n");
    assertThat(TestJson.object(Json.write(HttpStatusServer.statusJson(probe(s, none)))))
        .extractingByKey("snapshot")
        .satisfies(o -> assertThat(obj(o)).containsEntry("state", "none"));
  }
}
