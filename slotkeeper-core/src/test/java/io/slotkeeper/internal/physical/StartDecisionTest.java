package io.slotkeeper.internal.physical;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.Lsn;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StartDecisionTest {
  private static final WalSegments SEGMENTS = new WalSegments(16L << 20);
  private static final Lsn SERVER = Lsn.parse("47/E9123456");

  private static Optional<WalSegments.SegmentFile> file(String name) {
    return SEGMENTS.parse(name);
  }

  private static Optional<StartDecision.SlotPosition> slot(String restart, int tli, boolean read) {
    return Optional.of(new StartDecision.SlotPosition(Lsn.parse(restart), tli, read));
  }

  @Test
  void aPartialSegmentIsStreamedAgainFromItsStart() {
    StartDecision.Start s =
        (StartDecision.Start)
            StartDecision.decide(
                SEGMENTS,
                file("0000000200000047000000E6.partial"),
                slot("47/E7000000", 2, true),
                "s",
                SERVER,
                3,
                false);
    assertThat(s.lsn()).isEqualTo(Lsn.parse("47/E6000000"));
    assertThat(s.timeline()).isEqualTo(2);
    assertThat(s.origin()).isEqualTo(StartDecision.Origin.DIRECTORY);
  }

  @Test
  void afterACompleteSegmentTheNextOneStarts() {
    StartDecision.Start s =
        (StartDecision.Start)
            StartDecision.decide(
                SEGMENTS, file("0000000100000047000000E6"), Optional.empty(), "", SERVER, 1, false);
    assertThat(s.lsn()).isEqualTo(Lsn.parse("47/E7000000"));
    assertThat(s.origin()).isEqualTo(StartDecision.Origin.DIRECTORY);
  }

  @Test
  void anEmptyDirectoryStartsAtTheSlotsRestartLsnSegment() {
    StartDecision.Start fromRead =
        (StartDecision.Start)
            StartDecision.decide(
                SEGMENTS, Optional.empty(), slot("47/E6001234", 1, true), "s", SERVER, 1, false);
    assertThat(fromRead.lsn()).isEqualTo(Lsn.parse("47/E6000000"));
    assertThat(fromRead.origin()).isEqualTo(StartDecision.Origin.READ_REPLICATION_SLOT);

    // pg_replication_slots tells no timeline: the server's current one is used.
    StartDecision.Start fromCatalog =
        (StartDecision.Start)
            StartDecision.decide(
                SEGMENTS, Optional.empty(), slot("47/E6001234", 0, false), "s", SERVER, 4, false);
    assertThat(fromCatalog.lsn()).isEqualTo(Lsn.parse("47/E6000000"));
    assertThat(fromCatalog.timeline()).isEqualTo(4);
    assertThat(fromCatalog.origin()).isEqualTo(StartDecision.Origin.PG_REPLICATION_SLOTS);
  }

  @Test
  void nothingKnownRefusesSayingWhatCouldBeMissing() {
    StartDecision.Decision d =
        StartDecision.decide(SEGMENTS, Optional.empty(), Optional.empty(), "s", SERVER, 1, false);
    assertThat(d).isInstanceOf(StartDecision.Refuse.class);
    StartDecision.Refuse r = (StartDecision.Refuse) d;
    assertThat(r.problem())
        .contains("no segment", "there is no slot s", "47/E9123456", "0000000100000047000000E9");
    assertThat(r.remediation()).contains("--allow-gap", "--create-slot");

    // A slot that reserves no WAL (created without RESERVE_WAL, never used) tells nothing either.
    StartDecision.Decision noReserve =
        StartDecision.decide(
            SEGMENTS,
            Optional.empty(),
            Optional.of(new StartDecision.SlotPosition(Lsn.INVALID, 0, true)),
            "s",
            SERVER,
            1,
            false);
    assertThat(noReserve).isInstanceOf(StartDecision.Refuse.class);
    assertThat(((StartDecision.Refuse) noReserve).problem()).contains("reserves no WAL");
  }

  @Test
  void anAllowedGapStartsAtTheServersPositionAndSaysSo() {
    StartDecision.Start s =
        (StartDecision.Start)
            StartDecision.decide(SEGMENTS, Optional.empty(), Optional.empty(), "", SERVER, 1, true);
    assertThat(s.lsn()).isEqualTo(Lsn.parse("47/E9000000"));
    assertThat(s.origin()).isEqualTo(StartDecision.Origin.SERVER_POSITION_GAP_ALLOWED);
    assertThat(s.explanation()).contains("NOT archived", "47/E9000000");
  }
}
