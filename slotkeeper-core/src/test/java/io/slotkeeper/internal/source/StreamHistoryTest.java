package io.slotkeeper.internal.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.internal.connection.ServerIdentity;
import io.slotkeeper.internal.connection.SlotInfo;
import io.slotkeeper.internal.connection.TimelineHistory;
import org.junit.jupiter.api.Test;

/** The continuity rule: when a new start may rely on the ledger's LSN-based duplicate check. */
class StreamHistoryTest {
  private static final ServerIdentity A =
      new ServerIdentity("7300000000000000001", 1, Lsn.of(5000));

  private static SlotInfo slot(long confirmed) {
    return new SlotInfo(
        "s",
        "pgoutput",
        "logical",
        "db",
        null,
        Lsn.of(confirmed),
        Lsn.of(confirmed),
        "reserved",
        null);
  }

  private static StreamHistory streamedFrom(ServerIdentity server, long slotPosition) {
    StreamHistory h = new StreamHistory();
    h.started(server, Lsn.of(slotPosition));
    return h;
  }

  @Test
  void theFirstStartNeedsNoProof() {
    StreamHistory h = new StreamHistory();
    assertThat(h.discontinuity(A, slot(100), true, false, Lsn.INVALID, Lsn.INVALID)).isNull();
    assertThat(h.streamedBefore()).isFalse();
  }

  @Test
  void aReconnectToTheSameSlotContinues() {
    StreamHistory h = streamedFrom(A, 100);
    assertThat(h.discontinuity(A, slot(300), false, false, Lsn.of(300), Lsn.of(400))).isNull();
  }

  @Test
  void anotherClusterOrTimelineBreaksTheHistory() {
    StreamHistory h = streamedFrom(A, 100);
    ServerIdentity otherCluster = new ServerIdentity("7300000000000000002", 1, Lsn.of(5000));
    assertThat(h.discontinuity(otherCluster, slot(50), false, false, Lsn.of(300), Lsn.of(400)))
        .contains("another database cluster");
    ServerIdentity promoted = new ServerIdentity(A.systemId(), 2, Lsn.of(5000));
    assertThat(h.discontinuity(promoted, slot(300), false, false, Lsn.of(300), Lsn.of(400)))
        .contains("timeline changed from 1 to 2");
  }

  @Test
  void aPromotionThatForkedAfterAllThisSourceReceivedContinues() {
    StreamHistory h = streamedFrom(A, 100);
    ServerIdentity promoted = new ServerIdentity(A.systemId(), 2, Lsn.of(5000));
    // 0/1F4 = 500: the standby had everything up to 500, the source received up to 400.
    TimelineHistory forkedAt500 =
        TimelineHistory.parse(2, "1\t0/1F4\tno recovery target specified\n");
    assertThat(
            h.discontinuity(
                promoted, slot(250), false, false, Lsn.of(300), Lsn.of(400), forkedAt500))
        .as("a synchronized slot behind what was confirmed: the ledger drops the replay")
        .isNull();
    assertThat(h.lastTimeline()).isEqualTo(1);
    // The slot did not survive: created anew on the promoted server.
    assertThat(
            h.discontinuity(
                promoted, slot(600), true, false, Lsn.of(300), Lsn.of(400), forkedAt500))
        .contains("did not survive the failover to timeline 2");
    // A synchronized slot ahead of what this source confirmed.
    assertThat(
            h.discontinuity(
                promoted, slot(450), false, false, Lsn.of(300), Lsn.of(400), forkedAt500))
        .contains("ahead of anything this source confirmed");
  }

  @Test
  void aPromotionThatForkedBeforeWhatThisSourceReceivedBreaksTheHistory() {
    StreamHistory h = streamedFrom(A, 100);
    ServerIdentity promoted = new ServerIdentity(A.systemId(), 2, Lsn.of(5000));
    TimelineHistory forkedAt350 = TimelineHistory.parse(2, "1\t0/15E\tno recovery target\n");
    assertThat(
            h.discontinuity(
                promoted, slot(300), false, false, Lsn.of(300), Lsn.of(400), forkedAt350))
        .contains("timeline changed from 1 to 2")
        .contains("at 0/15E, before 0/190")
        .contains("synchronized_standby_slots");
    // A history that does not go through timeline 1, or of another timeline, proves nothing.
    TimelineHistory otherBranch = TimelineHistory.parse(3, "1\t0/1F4\tx\n2\t0/2F4\ty\n");
    assertThat(
            h.discontinuity(
                promoted, slot(300), false, false, Lsn.of(300), Lsn.of(400), otherBranch))
        .contains("may not exist on this one");
    TimelineHistory notFromOne = TimelineHistory.parse(2, "# comment\n\n");
    assertThat(
            h.discontinuity(
                promoted, slot(300), false, false, Lsn.of(300), Lsn.of(400), notFromOne))
        .contains("may not exist on this one");
  }

  @Test
  void aSlotThisSourceDidNotHaveBeforeBreaksTheHistory() {
    StreamHistory h = streamedFrom(A, 100);
    assertThat(h.discontinuity(A, slot(900), true, false, Lsn.of(300), Lsn.of(400)))
        .contains("was missing");
    assertThat(h.discontinuity(A, slot(900), true, true, Lsn.of(300), Lsn.of(400)))
        .contains("temporary slot");
    // Re-created (or advanced) by someone else between two connections: it stands past anything we
    // confirmed.
    assertThat(h.discontinuity(A, slot(900), false, false, Lsn.of(300), Lsn.of(400)))
        .contains("ahead of");
  }

  @Test
  void aSlotBehindWhatWasConfirmedIsACrashWhileTheWalStillHoldsWhatWasReceived() {
    StreamHistory h = streamedFrom(A, 100);
    // A server crash loses slot positions not yet checkpointed; the WAL is the same, the ledger
    // drops the replay.
    assertThat(h.discontinuity(A, slot(150), false, false, Lsn.of(300), Lsn.of(400))).isNull();
    // A server whose WAL ends before what we received is not the history we streamed from.
    ServerIdentity rewound = new ServerIdentity(A.systemId(), 1, Lsn.of(350));
    assertThat(h.discontinuity(rewound, slot(150), false, false, Lsn.of(300), Lsn.of(400)))
        .contains("WAL ends at 0/15E");
  }

  @Test
  void anOwnReplacementStaysPendingUntilAStartTakesIt() {
    StreamHistory h = new StreamHistory();
    ResyncRequired first =
        new ResyncRequired("s", Lsn.of(100), Lsn.INVALID, "slot s was invalidated");
    h.replacingSlot(first);
    h.replacingSlot(
        new ResyncRequired("s", Lsn.of(100), Lsn.INVALID, "again, after a failed creation"));
    assertThat(h.pendingReplacement()).isSameAs(first);
    h.started(A, Lsn.of(900));
    assertThat(h.pendingReplacement()).isNull();
  }
}
