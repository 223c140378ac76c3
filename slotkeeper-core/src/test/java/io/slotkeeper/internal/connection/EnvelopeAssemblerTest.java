package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.internal.source.AckTarget;
import io.slotkeeper.pgoutput.Begin;
import io.slotkeeper.pgoutput.Commit;
import io.slotkeeper.pgoutput.LogicalMessage;
import io.slotkeeper.pgoutput.Origin;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.junit.jupiter.api.Test;

/**
 * A Begin sent with walStart 0/0 (the server's sign that an Origin follows in the same callback) is
 * held until the next message: with the Origin it carries it; without one (the server sends none
 * when the origin's name is gone) it still comes first, and the next message right after it.
 */
class EnvelopeAssemblerTest {
  private static final AckTarget ACK = end -> CompletableFuture.completedFuture(Done.getInstance());
  private static final ByteBuffer NO_BYTES = ByteBuffer.allocate(0);
  private static final Begin BEGIN = new Begin(Lsn.parse("0/200"), Instant.EPOCH, 7);
  private static final LogicalMessage MESSAGE =
      new LogicalMessage(7, true, Lsn.parse("0/180"), "p", new byte[] {1});
  private static final Commit COMMIT =
      new Commit(0, Lsn.parse("0/200"), Lsn.parse("0/228"), Instant.EPOCH);

  private static ChangeEnvelope assemble(EnvelopeAssembler a, Object m, String walStart)
      throws Exception {
    return a.assemble(
        (io.slotkeeper.pgoutput.PgOutputMessage) m,
        NO_BYTES,
        walStart == null ? Lsn.INVALID : Lsn.parse(walStart),
        0L);
  }

  @Test
  void aBeginFollowedByItsOriginCarriesIt() throws Exception {
    EnvelopeAssembler a = new EnvelopeAssembler(ACK, null);
    Origin origin = new Origin(Lsn.parse("0/ABC"), "o1");
    assertThat(assemble(a, BEGIN, null)).isNull();
    ChangeEnvelope begin = assemble(a, origin, "0/100");
    assertThat(begin.kind()).isEqualTo(ChangeEnvelope.Kind.BEGIN);
    assertThat(begin.origin()).contains(origin);
    assertThat(a.nextPending()).isNull();
    assertThat(assemble(a, MESSAGE, "0/180").origin()).contains(origin);
    assertThat(assemble(a, COMMIT, "0/228").origin()).contains(origin);
  }

  @Test
  void aBeginThatNoOriginFollowsStillComesFirstAndNothingIsLost() throws Exception {
    EnvelopeAssembler a = new EnvelopeAssembler(ACK, null);
    assertThat(assemble(a, BEGIN, null)).isNull();
    ChangeEnvelope begin = assemble(a, MESSAGE, "0/180");
    assertThat(begin.kind()).isEqualTo(ChangeEnvelope.Kind.BEGIN);
    assertThat(begin.origin()).isEmpty();
    ChangeEnvelope message = a.nextPending();
    assertThat(message.kind()).isEqualTo(ChangeEnvelope.Kind.MESSAGE);
    assertThat(message.lsn()).isEqualTo(Lsn.parse("0/180"));
    assertThat(a.nextPending()).isNull();
    ChangeEnvelope commit = assemble(a, COMMIT, "0/228");
    assertThat(commit.kind()).isEqualTo(ChangeEnvelope.Kind.COMMIT);
    assertThat(commit.committableOffset().lsn()).isEqualTo(Lsn.parse("0/228"));
    assertThat(commit.origin()).isEmpty();
  }

  @Test
  void aBeginWithItsWalStartIsNotHeld() throws Exception {
    EnvelopeAssembler a = new EnvelopeAssembler(ACK, null);
    assertThat(assemble(a, BEGIN, "0/100").kind()).isEqualTo(ChangeEnvelope.Kind.BEGIN);
  }
}
