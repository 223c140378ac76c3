package io.slotkeeper.internal.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.FailureKind;
import org.junit.jupiter.api.Test;

class InvalidStreamStreakTest {

  private static Classification invalid(String problem) {
    return new Classification(ErrorClass.TRANSIENT, problem, "", FailureKind.INVALID_STREAM);
  }

  private static final Classification LOST =
      new Classification(ErrorClass.TRANSIENT, "connection reset", "", FailureKind.OTHER);

  @Test
  void theThirdIdenticalFailureInARowIsFatalAndSaysSo() {
    InvalidStreamStreak s = new InvalidStreamStreak();
    assertThat(s.escalate(invalid("at LSN 0/10")).errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(s.escalate(invalid("at LSN 0/10")).errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    Classification third = s.escalate(invalid("at LSN 0/10"));
    assertThat(third.errorClass()).isEqualTo(ErrorClass.FATAL);
    assertThat(third.kind()).isEqualTo(FailureKind.INVALID_STREAM);
    assertThat(third.problem()).isEqualTo("at LSN 0/10; the same 3 times in a row");
    assertThat(third.remediation()).contains("pg_replication_slot_advance");
  }

  @Test
  void aDifferentPositionStartsTheCountAgain() {
    InvalidStreamStreak s = new InvalidStreamStreak();
    s.escalate(invalid("at LSN 0/10"));
    s.escalate(invalid("at LSN 0/10"));
    assertThat(s.escalate(invalid("at LSN 0/20")).errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(s.escalate(invalid("at LSN 0/20")).errorClass()).isEqualTo(ErrorClass.TRANSIENT);
    assertThat(s.escalate(invalid("at LSN 0/20")).errorClass()).isEqualTo(ErrorClass.FATAL);
  }

  @Test
  void otherFailuresPassThroughAndNeitherCountNorReset() {
    InvalidStreamStreak s = new InvalidStreamStreak();
    s.escalate(invalid("at LSN 0/10"));
    assertThat(s.escalate(LOST)).isSameAs(LOST);
    s.escalate(invalid("at LSN 0/10"));
    assertThat(s.escalate(LOST)).isSameAs(LOST);
    assertThat(s.escalate(invalid("at LSN 0/10")).errorClass()).isEqualTo(ErrorClass.FATAL);
  }
}
