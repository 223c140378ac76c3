package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.slotkeeper.Lsn;
import io.slotkeeper.ResyncRequired;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.source.StreamHistory;
import org.junit.jupiter.api.Test;

/** Every branch of the slot decision a connection takes at connect, without a server. */
class SlotPlanTest {
  private static final SourceSettings SETTINGS =
      SourceSettings.create(
          ConfigFactory.parseString(
              "url = \"jdbc:postgresql://h/db\", user = u, slot-name = s, publications = [p]"));

  private static SlotInfo slot(Integer activePid, String walStatus, String invalidationReason) {
    return new SlotInfo(
        "s",
        "pgoutput",
        "logical",
        "db",
        activePid,
        Lsn.of(0x1000),
        Lsn.of(0x800),
        walStatus,
        invalidationReason);
  }

  @Test
  void aHealthySlotIsStreamedEvenWhenAnotherHoldsIt() {
    // Who holds it is checked after verification, as for a slot this connection created.
    SlotInfo idle = slot(null, "reserved", null);
    SlotInfo held = slot(77, "reserved", null);
    assertThat(SlotPlan.decide(idle, SETTINGS, null)).isEqualTo(new SlotPlan.Stream(idle));
    assertThat(
            SlotPlan.decide(
                held, SETTINGS.withOnInvalidated(SlotSettings.OnInvalidated.RECREATE), null))
        .isEqualTo(new SlotPlan.Stream(held));
  }

  @Test
  void aMissingSlotIsStreamedSoItsCheckNamesTheFixUnlessItIsToBeCreated() {
    assertThat(SlotPlan.decide(null, SETTINGS, null)).isEqualTo(new SlotPlan.Stream(null));
    assertThat(SlotPlan.decide(null, SETTINGS.withCreateSlotIfMissing(true), null))
        .isEqualTo(new SlotPlan.Create());
    assertThat(SlotPlan.decide(null, SETTINGS.withTemporarySlot(true), null))
        .isEqualTo(new SlotPlan.Create());
  }

  @Test
  void aReplacementStillOwedIsCreatedWhateverCreateIfMissingSays() {
    ResyncRequired owed =
        new ResyncRequired("s", Lsn.of(0x1000), Lsn.INVALID, "slot s was invalidated");
    assertThat(SlotPlan.decide(null, SETTINGS.withCreateSlotIfMissing(false), owed))
        .isEqualTo(new SlotPlan.Create());
  }

  @Test
  void anInvalidatedSlotFailsUnlessItIsToBeRecreated() {
    SlotInfo lost = slot(null, "lost", null);
    assertThat(SlotPlan.decide(lost, SETTINGS, null))
        .isEqualTo(new SlotPlan.Refuse(SlotPlan.Refusal.INVALIDATED));
    // PostgreSQL 17+ names the reason; wal_status may then still say something else.
    SlotInfo conflicting = slot(null, "reserved", "rows_removed");
    assertThat(SlotPlan.decide(conflicting, SETTINGS, null))
        .isEqualTo(new SlotPlan.Refuse(SlotPlan.Refusal.INVALIDATED));
  }

  @Test
  void anInvalidatedSlotToBeRecreatedIsReplacedAnnouncingItsLastPosition() {
    SlotPlan plan =
        SlotPlan.decide(
            slot(null, "lost", null),
            SETTINGS.withOnInvalidated(SlotSettings.OnInvalidated.RECREATE),
            null);
    assertThat(plan).isInstanceOf(SlotPlan.Replace.class);
    ResyncRequired replacement = ((SlotPlan.Replace) plan).replacement();
    assertThat(replacement.slotName()).isEqualTo("s");
    assertThat(replacement.lastConfirmedLsn()).isEqualTo(Lsn.of(0x1000));
    assertThat(replacement.reason()).isEqualTo("slot s was invalidated (wal_status = lost)");
  }

  @Test
  void anInvalidatedSlotHeldByAnotherWalsenderIsBusyNotDroppedUnderIt() {
    assertThat(
            SlotPlan.decide(
                slot(77, "lost", null),
                SETTINGS.withOnInvalidated(SlotSettings.OnInvalidated.RECREATE),
                null))
        .isEqualTo(new SlotPlan.Refuse(SlotPlan.Refusal.BUSY));
  }

  @Test
  void anInterruptedSnapshotIsRetakenOnANewSlotAnnouncedOnlyWhenRowsWentOut() {
    SlotInfo idle = slot(null, "reserved", null);
    SlotPlan delivering =
        SlotPlan.decide(idle, SETTINGS, null, StreamHistory.UnfinishedSnapshot.DELIVERING);
    assertThat(delivering).isInstanceOf(SlotPlan.RetakeSnapshot.class);
    ResyncRequired resync = ((SlotPlan.RetakeSnapshot) delivering).resync();
    assertThat(resync.lastConfirmedLsn()).isEqualTo(Lsn.of(0x1000));
    assertThat(resync.reason()).contains("initial snapshot was interrupted");
    assertThat(SlotPlan.decide(idle, SETTINGS, null, StreamHistory.UnfinishedSnapshot.CREATING))
        .isEqualTo(new SlotPlan.RetakeSnapshot(null, true));
    // Gone (temporary, or dropped by a shutdown mid-snapshot) after rows went out: created again
    // with a new snapshot, announced, with nothing to drop first.
    SlotPlan gone =
        SlotPlan.decide(null, SETTINGS, null, StreamHistory.UnfinishedSnapshot.DELIVERING);
    assertThat(gone).isInstanceOf(SlotPlan.RetakeSnapshot.class);
    assertThat(((SlotPlan.RetakeSnapshot) gone).dropFirst()).isFalse();
    assertThat(((SlotPlan.RetakeSnapshot) gone).resync().reason())
        .contains("initial snapshot was interrupted");
    // Gone before any row went out: simply created again, whatever create-if-missing says.
    assertThat(SlotPlan.decide(null, SETTINGS, null, StreamHistory.UnfinishedSnapshot.CREATING))
        .isEqualTo(new SlotPlan.Create());
    // Held by someone else: not ours to drop.
    assertThat(
            SlotPlan.decide(
                slot(77, "reserved", null),
                SETTINGS,
                null,
                StreamHistory.UnfinishedSnapshot.DELIVERING))
        .isEqualTo(new SlotPlan.Refuse(SlotPlan.Refusal.BUSY));
    // Nothing unfinished: an existing slot is streamed from as it is.
    assertThat(SlotPlan.decide(idle, SETTINGS, null, null)).isEqualTo(new SlotPlan.Stream(idle));
  }
}
