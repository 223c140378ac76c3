package io.slotkeeper.cli;

import static io.slotkeeper.StatusLevel.ACTIVE;
import static io.slotkeeper.StatusLevel.FAILED;
import static io.slotkeeper.StatusLevel.READY;
import static io.slotkeeper.StatusLevel.STARTING;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which successive statuses owe the person a line: a wait's start, its changes, its end; nothing else. */
class WaitLinesTest {
  private static final long S = 1_000_000_000L;
  private final WaitLines waits = new WaitLines();

  private static String creating(String blockers, int attempts, String outcome) {
    return "creating replication slot s: waiting for running transactions to end: " + blockers
        + "; heal attempts " + attempts + " (" + outcome + ")";
  }

  @Test
  void aBlockedCreationIsOneLineWhileOnlyItsCountersMoveAndOneMoreWhenItFinishes() {
    assertThat(waits.next(STARTING, "connecting to app as repl", 0)).isNull();
    // The wait is counted from the start of creation, a heal interval before its first blocked reason.
    assertThat(waits.next(STARTING, "creating replication slot s", 0)).isNull();
    String first = creating("PID 42 (application 'psql', transaction open 3 s)", 1, "1 ok");
    assertThat(waits.next(STARTING, first, 1 * S)).isEqualTo("waiting: " + first);
    for (int i = 2; i <= 6; i++) {
      assertThat(waits.next(STARTING, creating("PID 42 (application 'psql', transaction open " + (i + 2) + " s)", i,
          i + " ok"), i * S)).isNull();
    }
    assertThat(waits.next(READY, "slot s verified; starting replication", 7 * S))
        .isEqualTo("slot creation finished after waiting 7.0 s for blocked slot creation");
    assertThat(waits.next(ACTIVE, "streaming from slot s", 7 * S)).isNull();
  }

  @Test
  void aDifferentBlockerSetOrAHealThatCouldNotRunIsANewLine() {
    assertThat(waits.next(STARTING, creating("PID 42", 1, "1 ok"), 0)).isNotNull();
    String more = creating("PID 42, PID 43", 2, "2 ok");
    assertThat(waits.next(STARTING, more, S)).isEqualTo("waiting: " + more);
    String failed = creating("PID 42, PID 43", 3, "2 ok, 1 failed");
    assertThat(waits.next(STARTING, failed, 2 * S)).isEqualTo("waiting: " + failed);
    assertThat(waits.next(STARTING, creating("PID 42, PID 43", 4, "3 ok, 1 failed"), 3 * S)).isNull();
    String consistent = "creating replication slot s: waiting for the slot's snapshot to become consistent;"
        + " heal attempts 5 (4 ok, 1 failed)";
    assertThat(waits.next(STARTING, consistent, 4 * S)).isEqualTo("waiting: " + consistent);
  }

  @Test
  void aBusySlotIsOneLinePerHolderNotPerRetryAndItsEndIsSaidWhenStreaming() {
    String own = "replication slot \"s\" is active for PID 7, application 'other', from 10.0.0.1; retrying in 197 ms";
    assertThat(waits.next(STARTING, own, 0)).isEqualTo("waiting: " + own);
    assertThat(waits.next(STARTING, "connecting to app as repl", S / 2)).isNull();
    assertThat(waits.next(STARTING, own.replace("197", "412"), S)).isNull();
    // The server's own refusal names the same holder: not news.
    assertThat(waits.next(STARTING, "waiting for the replication slot to be free (held by PID 7): replication slot"
        + " \"s\" is active for PID 7; retrying in 803 ms", 2 * S)).isNull();
    String other = own.replace("PID 7", "PID 8").replace("197", "1600");
    assertThat(waits.next(STARTING, other, 3 * S)).isEqualTo("waiting: " + other);
    assertThat(waits.next(READY, "slot s verified; starting replication", 4 * S)).isNull();
    assertThat(waits.next(ACTIVE, "streaming from slot s", 5 * S))
        .isEqualTo("streaming after waiting 5.0 s for the slot to be free");
  }

  @Test
  void anUnreachableServerIsOneLinePerCauseAndEndsWhenStreaming() {
    String lost = "An I/O error occurred while sending to the backend.; reconnecting in 210 ms";
    assertThat(waits.next(STARTING, lost, 0)).isEqualTo("waiting: " + lost);
    String refused = "Connection to 127.0.0.1:5432 refused.; reconnecting in 380 ms";
    assertThat(waits.next(STARTING, refused, S)).isEqualTo("waiting: " + refused);
    assertThat(waits.next(STARTING, "connecting to app as repl", 2 * S)).isNull();
    assertThat(waits.next(STARTING, refused.replace("380", "790"), 2 * S)).isNull();
    assertThat(waits.next(STARTING, refused.replace("380", "1610"), 3 * S)).isNull();
    assertThat(waits.next(ACTIVE, "streaming from slot s", 4 * S))
        .isEqualTo("streaming after waiting 4.0 s for the server");
    // A new wait after the end is a new line.
    assertThat(waits.next(STARTING, refused, 5 * S)).isEqualTo("waiting: " + refused);
  }

  @Test
  void stepsBetweenWaitsAndTheEndOfTheSourceSayNothing() {
    assertThat(waits.next(STARTING, "connecting to app as repl", 0)).isNull();
    assertThat(waits.next(READY, "slot s verified; starting replication", 0)).isNull();
    assertThat(waits.next(ACTIVE, "streaming from slot s", 0)).isNull();
    assertThat(waits.next(STARTING, "x; reconnecting in 5 ms", 0)).isNotNull();
    assertThat(waits.next(FAILED, "fatal. Fix: something", S)).isNull();
    assertThat(waits.waiting()).isNull();
  }
}
