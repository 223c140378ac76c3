package io.slotkeeper.internal.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.Lsn;
import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.ColumnValue;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.PgOutputMessage;
import io.slotkeeper.pgoutput.Relation;
import io.slotkeeper.pgoutput.RelationColumn;
import io.slotkeeper.pgoutput.TupleData;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeartbeatFilterTest {
  private static final String PREFIX = "slotkeeper-heartbeat";
  private static final Lsn COMMIT_LSN = Lsn.of(500);

  private final HeartbeatFilter filter = new HeartbeatFilter(PREFIX);
  private final List<Kind> passed = new ArrayList<>();
  private final List<Commit> heartbeats = new ArrayList<>();

  private static final Relation ITEMS =
      new Relation(
          0,
          16384,
          "public",
          "items",
          Relation.REPLICA_IDENTITY_DEFAULT,
          List.of(new RelationColumn("id", 23, -1, true)));

  private static ChangeEnvelope env(PgOutputMessage m) {
    return ChangeEnvelope.of(
        m,
        Lsn.of(400),
        7,
        COMMIT_LSN,
        Instant.EPOCH,
        CommittableOffsetImpl.notAUnitEnd(Lsn.of(400)));
  }

  private static ChangeEnvelope begin() {
    return env(new Begin(COMMIT_LSN, Instant.EPOCH, 7));
  }

  private static ChangeEnvelope message(String prefix, String content) {
    return env(
        new LogicalMessage(7, true, Lsn.of(450), prefix, content.getBytes(StandardCharsets.UTF_8)));
  }

  private static ChangeEnvelope commit() {
    return env(new Commit(0, COMMIT_LSN, Lsn.of(520), Instant.EPOCH));
  }

  private static ChangeEnvelope insert() {
    return env(new Insert(7, ITEMS, TupleData.of(ColumnValue.text("1"))));
  }

  private void offer(ChangeEnvelope... envs) {
    for (ChangeEnvelope e : envs) {
      filter.offer(e, p -> passed.add(p.kind()), heartbeats::add);
    }
  }

  @Test
  void theEnginesOwnHeartbeatTransactionIsRecognised() {
    offer(begin(), message(PREFIX, HeartbeatFilter.contentFor("slot_a") + "2026-12-01"), commit());
    assertThat(passed).isEmpty();
    assertThat(heartbeats).extracting(Commit::endLsn).containsExactly(Lsn.of(520));
    assertThat(filter.holding()).isFalse();
  }

  @Test
  void aTransactionWithAnythingElseIsDeliveredWhole() {
    offer(begin(), message(PREFIX, HeartbeatFilter.contentFor("slot_a") + "x"), insert(), commit());
    assertThat(passed).containsExactly(Kind.BEGIN, Kind.MESSAGE, Kind.INSERT, Kind.COMMIT);
    assertThat(heartbeats).isEmpty();
  }

  @Test
  void theHeartbeatPrefixWithOtherContentIsTheUsers() {
    offer(begin(), message(PREFIX, "a user's message"), commit());
    assertThat(passed).containsExactly(Kind.BEGIN, Kind.MESSAGE, Kind.COMMIT);
    assertThat(heartbeats).isEmpty();
  }

  @Test
  void aResetForgetsWhatIsHeld() {
    offer(begin(), message(PREFIX, HeartbeatFilter.contentFor("s") + "x"));
    assertThat(filter.holding()).isTrue();
    filter.reset();
    assertThat(filter.holding()).isFalse();
    offer(insert());
    assertThat(passed).containsExactly(Kind.INSERT);
  }
}
