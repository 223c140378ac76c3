package io.slotkeeper;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SourceFailedExceptionTest {

  @Test
  void withContextNamesTheSourceAndKeepsEveryField() {
    IllegalStateException cause = new IllegalStateException("server said so");
    SourceFailedException e =
        new SourceFailedException(
            FailureKind.SLOT_INVALIDATED,
            "slot s was invalidated",
            "drop and re-create it",
            Lsn.parse("1/A0"),
            cause);
    SourceFailedException named = e.withContext("source s failed: ");
    assertThat(named.kind()).isEqualTo(FailureKind.SLOT_INVALIDATED);
    assertThat(named.problem()).isEqualTo("source s failed: slot s was invalidated");
    assertThat(named.remediation()).isEqualTo("drop and re-create it");
    assertThat(named.slotConfirmedLsn()).contains(Lsn.parse("1/A0"));
    assertThat(named.getCause()).isSameAs(cause);
    assertThat(named.getMessage())
        .isEqualTo("source s failed: slot s was invalidated. Fix: drop and re-create it");

    SourceFailedException bare = new SourceFailedException("it broke", null).withContext("x: ");
    assertThat(bare.kind()).isEqualTo(FailureKind.OTHER);
    assertThat(bare.remediation()).isEmpty();
    assertThat(bare.slotConfirmedLsn()).isEmpty();
    assertThat(bare.getMessage()).isEqualTo("x: it broke");
  }
}
