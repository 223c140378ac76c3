package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.WalArchiver;
import io.slotkeeper.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: archiving from a standby that is promoted. The walsender on the standby ends timeline 1
 * at the switch point (CopyDone and the next timeline); the archiver fetches TIMELINE_HISTORY 2,
 * writes {@code 00000002.history} as pg_receivewal does (the server's content, byte for byte),
 * leaves the old timeline's last segment {@code .partial}, and goes on with timeline 2 from the
 * start of the segment holding the switch point. A restart with that directory later continues on
 * timeline 2.
 *
 * <p>Run on several versions ({@code TimelineSwitchPgNNIT}, one primary and its standby per class):
 * the restarts read the slot with READ_REPLICATION_SLOT on 15+ and from pg_replication_slots
 * before, and a walsender's end of timeline and TIMELINE_HISTORY are exercised against each
 * server's own code.
 */
abstract class TimelineSwitchScenarios extends ArchiveFixtures {
  /** The standby of the class running now (test classes run one after another). */
  private static PostgresServer startedStandby;

  /** The primary of this class's server, which the test promotes a standby of. */
  abstract PostgresServer primary();

  @AfterAll
  static void closeStandby() {
    if (startedStandby != null) {
      startedStandby.close();
      startedStandby = null;
    }
  }

  /** Settings (URL) name the standby: the archive is taken from it. Started at first use. */
  @Override
  PostgresServer pg() {
    if (startedStandby == null) {
      startedStandby = primary().startStandby();
    }
    return startedStandby;
  }

  private static Lsn write(PostgresServer on, boolean switchSegment) {
    on.execute("CREATE TABLE IF NOT EXISTS filler (id bigserial PRIMARY KEY, pad text NOT NULL)");
    on.execute("INSERT INTO filler (pad) SELECT repeat('x', 400) FROM generate_series(1, 700)");
    if (switchSegment) {
      on.queryString("SELECT pg_switch_wal()::text");
    }
    return Lsn.parse(on.queryString("SELECT pg_current_wal_lsn()::text"));
  }

  @Test
  void aPromotedStandbyGivesTheHistoryFileAndArchivingGoesOnWithTheNextTimeline() throws Exception {
    Path dir = temp.resolve("promote");
    PostgresServer primary = primary();
    PostgresServer standby = pg();
    ArchiveControl control =
        WalArchiver.start(kit.system(), settings("arch_tl", dir).withCreateSlot(true));
    awaitLevel(control, StatusLevel.ACTIVE);
    assertThat(control.progress().timeline()).isEqualTo(1);
    write(primary, true);
    Lsn mid = write(primary, false);
    standby.waitForReplay(mid.toString());
    awaitFlushed(control, mid);
    // A second archive, stopped before the promotion: restarted afterwards, its newest segment is
    // on timeline 1 while the server is on timeline 2.
    Path older = temp.resolve("older");
    ArchiveControl early = WalArchiver.start(kit.system(), settings("", older).withAllowGap(true));
    awaitLevel(early, StatusLevel.ACTIVE);
    awaitFlushed(early, mid);
    shutdown(early);

    standby.promote();
    assertThat(standby.timeline()).isEqualTo(2);
    write(standby, true);
    Lsn end = write(standby, true);
    Harness.await(
        "the archive to follow timeline 2 up to " + end,
        WAIT,
        () -> control.progress().timeline() == 2 && !control.progress().flushedLsn().isBefore(end));

    Path pgWal = Path.of(standby.queryString("SHOW data_directory")).resolve("pg_wal");
    assertThat(dir.resolve("00000002.history"))
        .as("the history file, as the server has it")
        .exists()
        .hasBinaryContent(Files.readAllBytes(pgWal.resolve("00000002.history")));

    List<String> complete = completeSegments(dir);
    List<String> timeline1 = complete.stream().filter(n -> n.startsWith("00000001")).toList();
    List<String> timeline2 = complete.stream().filter(n -> n.startsWith("00000002")).toList();
    assertThat(timeline2).as("complete segments on timeline 2").hasSizeGreaterThanOrEqualTo(2);
    // The old timeline's last segment stays .partial (as pg_receivewal leaves it); timeline 2
    // starts with that same segment number, holding the old WAL up to the switch and the new.
    long firstOn2 = segmentNumber(timeline2.get(0));
    assertThat(partialSegments(dir)).contains(timeline1Partial(firstOn2));
    List<String> chain = new ArrayList<>(timeline1);
    chain.addAll(timeline2);
    assertContiguous(chain);
    // Byte-identical: timeline 2 segments as the promoted server has them, and the timeline 1
    // segments as the primary (whose pg_wal keeps them) wrote them.
    assertSameAsServer(dir, timeline2);
    Path primaryWal = Path.of(primary.queryString("SHOW data_directory")).resolve("pg_wal");
    for (String name : timeline1) {
      assertThat(Files.readAllBytes(dir.resolve(name)))
          .as("archived %s equals the primary's", name)
          .isEqualTo(Files.readAllBytes(primaryWal.resolve(name)));
    }
    assertThat(control.progress().reconnects()).as("the switch is no reconnect").isZero();
    shutdown(control);

    // A restart with this directory goes on with timeline 2.
    ArchiveControl again = WalArchiver.start(kit.system(), settings("arch_tl", dir));
    awaitLevel(again, StatusLevel.ACTIVE);
    assertThat(again.progress().timeline()).isEqualTo(2);
    Lsn more = write(standby, true);
    awaitFlushed(again, more);
    shutdown(again);
    List<String> after =
        completeSegments(dir).stream().filter(n -> n.startsWith("00000002")).toList();
    assertContiguous(after);
    assertSameAsServer(dir, after);

    // The archive left on timeline 1 follows the server's history: timeline 1 from its partial
    // segment up to the switch, then timeline 2.
    ArchiveControl late = WalArchiver.start(kit.system(), settings("", older));
    Harness.await(
        "the older archive to follow timeline 2 up to " + more,
        WAIT,
        () -> late.progress().timeline() == 2 && !late.progress().flushedLsn().isBefore(more));
    assertThat(late.progress().reconnects()).isZero();
    shutdown(late);
    assertThat(older.resolve("00000002.history"))
        .hasBinaryContent(Files.readAllBytes(pgWal.resolve("00000002.history")));
    List<String> olderOn2 =
        completeSegments(older).stream().filter(n -> n.startsWith("00000002")).toList();
    assertThat(olderOn2).isNotEmpty();
    assertThat(segmentNumber(olderOn2.get(0))).isEqualTo(firstOn2);
    assertContiguous(olderOn2);
    assertSameAsServer(older, olderOn2);
  }

  private static String timeline1Partial(long segment) {
    return String.format("00000001%08X%08X.partial", segment / 4096, segment % 4096);
  }
}
