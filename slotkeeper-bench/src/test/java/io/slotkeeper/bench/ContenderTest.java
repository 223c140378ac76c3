package io.slotkeeper.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ContenderTest {

  @Test
  void aFutureThatHasNotFailedHasNoFailure() {
    assertThat(Contender.failureOf(new CompletableFuture<>())).isNull();
    assertThat(Contender.failureOf(CompletableFuture.completedFuture(1))).isNull();
  }

  @Test
  void theFailureIsWhatTheLoopFailedWithUnwrapped() {
    IllegalStateException boom = new IllegalStateException("boom");
    CompletableFuture<Void> direct = new CompletableFuture<>();
    direct.completeExceptionally(boom);
    CompletableFuture<Void> wrapped = new CompletableFuture<>();
    wrapped.completeExceptionally(new CompletionException(boom));
    CompletableFuture<Void> dependent = direct.thenApply(v -> v);

    assertThat(Contender.failureOf(direct)).isSameAs(boom);
    assertThat(Contender.failureOf(wrapped)).isSameAs(boom);
    assertThat(Contender.failureOf(dependent)).isSameAs(boom);
  }
}
