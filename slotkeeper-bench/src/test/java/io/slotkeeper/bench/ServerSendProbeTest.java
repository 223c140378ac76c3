package io.slotkeeper.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerSendProbeTest {
  private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

  /** What the probe hands the counter. */
  private static final class Seen implements ServerSendProbe.SendListener {
    final List<String> events = new ArrayList<>();

    @Override
    public void sent(char kind, long commitMicros, long sentMicros) {
      events.add(kind + " " + commitMicros + " " + sentMicros);
    }

    @Override
    public void change(char kind, long commitMicros) {
      events.add("change without a send time");
    }

    @Override
    public void commit() {
      events.add("commit");
    }
  }

  private static byte[] xlogData(long walStart, long sentPgMicros, byte[] message) {
    return ByteBuffer.allocate(25 + message.length)
        .put((byte) 'w')
        .putLong(walStart)
        .putLong(walStart + 100)
        .putLong(sentPgMicros)
        .put(message)
        .array();
  }

  private static byte[] keepalive(long walEnd, boolean replyNow) {
    return ByteBuffer.allocate(18)
        .put((byte) 'k')
        .putLong(walEnd)
        .putLong(0)
        .put((byte) (replyNow ? 1 : 0))
        .array();
  }

  @Test
  void eachRowGetsItsTransactionsCommitTimeAndItsOwnFramesSendTime() {
    Seen seen = new Seen();
    ServerSendProbe.Frames frames = new ServerSendProbe.Frames(seen);
    long commit = 1_000_000;
    frames.take(xlogData(0x100, 1_000_500, PgOutputEncoder.begin(0x300, commit, 7)));
    frames.take(xlogData(0x180, 1_000_700, PgOutputEncoder.insert(16384, new String[] {"1"})));
    frames.take(xlogData(0x200, 1_000_900, PgOutputEncoder.insert(16384, new String[] {"2"})));
    frames.take(xlogData(0x300, 1_001_000, PgOutputEncoder.commit(0x300, 0x340, commit)));

    assertThat(seen.events)
        .containsExactly(
            "I " + (commit + PG_EPOCH_MICROS) + " " + (1_000_700 + PG_EPOCH_MICROS),
            "I " + (commit + PG_EPOCH_MICROS) + " " + (1_000_900 + PG_EPOCH_MICROS),
            "commit");
    assertThat(frames.received).isEqualTo(0x300);
  }

  @Test
  void aKeepaliveAsksForAReplyOnlyWhenItsFlagIsSet() {
    ServerSendProbe.Frames frames = new ServerSendProbe.Frames(new Seen());

    assertThat(frames.take(keepalive(0x500, false))).isFalse();
    assertThat(frames.take(keepalive(0x600, true))).isTrue();
    assertThat(frames.received).isEqualTo(0x600);
  }
}
