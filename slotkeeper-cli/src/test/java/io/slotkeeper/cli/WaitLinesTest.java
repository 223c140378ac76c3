package io.slotkeeper.cli;

import static io.slotkeeper.StatusLevel.ACTIVE;
import static io.slotkeeper.StatusLevel.FAILED;
import static io.slotkeeper.StatusLevel.READY;
import static io.slotkeeper.StatusLevel.STARTING;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Which successive statuses owe the person a line: a wait's start, its changes, its end; nothing
 * else.
 */
class WaitLinesTest {
  private static final long S = 1_000_000_000L;
  private final WaitLines waits = new WaitLines();

  private static String creating(String blockers, int attempts, String outcome) {
    return "creating replication slot s: waiting for running transactions to end: "
        + blockers
        + "; heal attempts "
        + attempts
        + " ("
        + outcome
        + ")";
  }

  /** A status that waits for nothing. */
  private static SourceStatus status(StatusLevel level, String reason) {
    return status(level, reason, null);
  }

  private static SourceStatus status(StatusLevel level, String reason, Waiting waiting) {
    return new SourceStatus(level, reason, Instant.EPOCH, null, null, waiting);
  }

  /**
   * A blocked creation as the AdminActor reports it, {@code waitedSeconds} after creation began.
   */
  private static Waiting blocked(List<Integer> pids, long ok, long failed, long waitedSeconds) {
    return new Waiting.CreationBlocked(
        pids,
        new Waiting.HealOutcomes(ok + failed, ok, 0, failed),
        Duration.ofSeconds(waitedSeconds));
  }

  private static Waiting busy(int pid, String application, long delayMs) {
    return new Waiting.SlotBusy(
        OptionalInt.of(pid), Optional.ofNullable(application), Duration.ofMillis(delayMs));
  }

  private static Waiting reconnecting(String cause, long delayMs) {
    return new Waiting.Reconnecting(cause, Duration.ofMillis(delayMs));
  }

  @Test
  void aBlockedCreationIsOneLineWhileOnlyItsCountersMoveAndOneMoreWhenItFinishes() {
    assertThat(waits.next(status(STARTING, "connecting to app as repl"), 0)).isNull();
    // The wait is counted from the start of creation, a heal interval before its first blocked
    // reason.
    assertThat(waits.next(status(STARTING, "creating replication slot s"), 0)).isNull();
    String first = creating("PID 42 (application 'psql', transaction open 3 s)", 1, "1 ok");
    assertThat(waits.next(status(STARTING, first, blocked(List.of(42), 1, 0, 1)), 1 * S))
        .isEqualTo("waiting: " + first);
    for (int i = 2; i <= 6; i++) {
      assertThat(
              waits.next(
                  status(
                      STARTING,
                      creating(
                          "PID 42 (application 'psql', transaction open " + (i + 2) + " s)",
                          i,
                          i + " ok"),
                      blocked(List.of(42), i, 0, i)),
                  i * S))
          .isNull();
    }
    assertThat(waits.next(status(READY, "slot s verified; starting replication"), 7 * S))
        .isEqualTo("slot creation finished after waiting 7.0 s for blocked slot creation");
    assertThat(waits.next(status(ACTIVE, "streaming from slot s"), 7 * S)).isNull();
  }

  @Test
  void aDifferentBlockerSetOrAHealThatCouldNotRunIsANewLine() {
    assertThat(
            waits.next(
                status(STARTING, creating("PID 42", 1, "1 ok"), blocked(List.of(42), 1, 0, 1)), 0))
        .isNotNull();
    String more = creating("PID 42, PID 43", 2, "2 ok");
    assertThat(waits.next(status(STARTING, more, blocked(List.of(42, 43), 2, 0, 2)), S))
        .isEqualTo("waiting: " + more);
    String failed = creating("PID 42, PID 43", 3, "2 ok, 1 failed");
    assertThat(waits.next(status(STARTING, failed, blocked(List.of(42, 43), 2, 1, 3)), 2 * S))
        .isEqualTo("waiting: " + failed);
    assertThat(
            waits.next(
                status(
                    STARTING,
                    creating("PID 42, PID 43", 4, "3 ok, 1 failed"),
                    blocked(List.of(43, 42), 3, 1, 4)),
                3 * S))
        .isNull();
    String consistent =
        "creating replication slot s: waiting for the slot's snapshot to become consistent;"
            + " heal attempts 5 (4 ok, 1 failed)";
    assertThat(waits.next(status(STARTING, consistent, blocked(List.of(), 4, 1, 5)), 4 * S))
        .isEqualTo("waiting: " + consistent);
  }

  @Test
  void aBusySlotIsOneLinePerHolderNotPerRetryAndItsEndIsSaidWhenStreaming() {
    String own =
        "replication slot \"s\" is active for PID 7, application 'other', from 10.0.0.1; retrying in 197 ms";
    assertThat(waits.next(status(STARTING, own, busy(7, "other", 197)), 0))
        .isEqualTo("waiting: " + own);
    assertThat(waits.next(status(STARTING, "connecting to app as repl"), S / 2)).isNull();
    assertThat(waits.next(status(STARTING, own.replace("197", "412"), busy(7, "other", 412)), S))
        .isNull();
    // The server's own refusal names the same holder: not news.
    assertThat(
            waits.next(
                status(
                    STARTING,
                    "waiting for the replication slot to be free (held by PID 7): replication"
                        + " slot \"s\" is active for PID 7; retrying in 803 ms",
                    busy(7, null, 803)),
                2 * S))
        .isNull();
    String other = own.replace("PID 7", "PID 8").replace("197", "1600");
    assertThat(waits.next(status(STARTING, other, busy(8, "other", 1600)), 3 * S))
        .isEqualTo("waiting: " + other);
    assertThat(waits.next(status(READY, "slot s verified; starting replication"), 4 * S)).isNull();
    assertThat(waits.next(status(ACTIVE, "streaming from slot s"), 5 * S))
        .isEqualTo("streaming after waiting 5.0 s for the slot to be free");
  }

  @Test
  void anUnreachableServerIsOneLinePerCauseAndEndsWhenStreaming() {
    String lostCause = "An I/O error occurred while sending to the backend.";
    String lost = "An I/O error occurred while sending to the backend.; reconnecting in 210 ms";
    assertThat(waits.next(status(STARTING, lost, reconnecting(lostCause, 210)), 0))
        .isEqualTo("waiting: " + lost);
    String refusedCause = "Connection to 127.0.0.1:5432 refused.";
    String refused = "Connection to 127.0.0.1:5432 refused.; reconnecting in 380 ms";
    assertThat(waits.next(status(STARTING, refused, reconnecting(refusedCause, 380)), S))
        .isEqualTo("waiting: " + refused);
    assertThat(waits.next(status(STARTING, "connecting to app as repl"), 2 * S)).isNull();
    assertThat(
            waits.next(
                status(STARTING, refused.replace("380", "790"), reconnecting(refusedCause, 790)),
                2 * S))
        .isNull();
    assertThat(
            waits.next(
                status(STARTING, refused.replace("380", "1610"), reconnecting(refusedCause, 1610)),
                3 * S))
        .isNull();
    assertThat(waits.next(status(ACTIVE, "streaming from slot s"), 4 * S))
        .isEqualTo("streaming after waiting 4.0 s for the server");
    // A new wait after the end is a new line.
    assertThat(waits.next(status(STARTING, refused, reconnecting(refusedCause, 380)), 5 * S))
        .isEqualTo("waiting: " + refused);
  }

  @Test
  void stepsBetweenWaitsAndTheEndOfTheSourceSayNothing() {
    assertThat(waits.next(status(STARTING, "connecting to app as repl"), 0)).isNull();
    assertThat(waits.next(status(READY, "slot s verified; starting replication"), 0)).isNull();
    assertThat(waits.next(status(ACTIVE, "streaming from slot s"), 0)).isNull();
    assertThat(waits.next(status(STARTING, "x; reconnecting in 5 ms", reconnecting("x", 5)), 0))
        .isNotNull();
    assertThat(waits.next(status(FAILED, "fatal. Fix: something"), S)).isNull();
    assertThat(waits.waiting()).isNull();
  }

  @Test
  void theLineFollowsTheFieldsNotTheWords() {
    // Words that look like a wait but come without one are a step, not a wait.
    assertThat(
            waits.next(
                status(
                    STARTING, "creating replication slot s: waiting for PID 1; retrying in 5 ms"),
                0))
        .isNull();
    assertThat(waits.waiting()).isNull();
    // The same words with another holder in the fields are news.
    String reason = "slot busy; retrying in 5 ms";
    assertThat(waits.next(status(STARTING, reason, busy(1, null, 5)), 0))
        .isEqualTo("waiting: " + reason);
    assertThat(waits.next(status(STARTING, reason, busy(2, null, 5)), S))
        .isEqualTo("waiting: " + reason);
    assertThat(waits.waiting()).isEqualTo(Waiting.Kind.SLOT_BUSY);
  }
}
