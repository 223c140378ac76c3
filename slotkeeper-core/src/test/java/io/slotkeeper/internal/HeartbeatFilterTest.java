package io.slotkeeper.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.CommittableOffset;
import io.slotkeeper.Lsn;
import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.PgOutputMessage;
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

  private static ChangeEnvelope env(Kind kind, PgOutputMessage m) {
    return new ChangeEnvelope(kind, Lsn.of(400), 7, COMMIT_LSN, Instant.EPOCH, m,
        new CommittableOffset(Lsn.of(400), false, lsn -> { }));
  }

  private static ChangeEnvelope begin() {
    return env(Kind.BEGIN, new Begin(COMMIT_LSN, Instant.EPOCH, 7));
  }

  private static ChangeEnvelope message(String prefix, String content) {
    return env(Kind.MESSAGE, new LogicalMessage(7, true, Lsn.of(450), prefix, content.getBytes(StandardCharsets.UTF_8)));
  }

  private static ChangeEnvelope commit() {
    return env(Kind.COMMIT, new Commit(0, COMMIT_LSN, Lsn.of(520), Instant.EPOCH));
  }

  private static ChangeEnvelope insert() {
    return env(Kind.INSERT, new LogicalMessage(7, true, Lsn.of(430), "x", new byte[0]));
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
