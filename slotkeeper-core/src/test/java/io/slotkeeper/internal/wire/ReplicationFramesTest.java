package io.slotkeeper.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.slotkeeper.Lsn;
import io.slotkeeper.pgoutput.PgOutputDecodeException;
import io.slotkeeper.pgoutput.PgTimestamps;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ReplicationFramesTest {

  private static final Instant T = Instant.parse("2024-05-06T07:08:09.123456Z");
  private static final long T_MICROS = 768_294_489_123_456L;

  private static byte[] xlogData(byte[] payload) {
    return ByteBuffer.allocate(25 + payload.length)
        .put((byte) 'w')
        .putLong(0x16_B374_D848L)
        .putLong(0x16_B374_D900L)
        .putLong(T_MICROS)
        .put(payload)
        .array();
  }

  private static byte[] keepalive(boolean reply) {
    return ByteBuffer.allocate(18)
        .put((byte) 'k')
        .putLong(0x1_0000_0000L)
        .putLong(T_MICROS)
        .put((byte) (reply ? 1 : 0))
        .array();
  }

  @Test
  void xlogDataHeaderAndPayloadView() {
    byte[] frame = xlogData("Bhello".getBytes(StandardCharsets.US_ASCII));
    XLogData x = (XLogData) ReplicationFrames.decode(frame);
    assertThat(x.walStart()).isEqualTo(Lsn.parse("16/B374D848"));
    assertThat(x.walEnd()).isEqualTo(Lsn.parse("16/B374D900"));
    assertThat(x.sendTime()).isEqualTo(T);
    assertThat(x.tag()).isEqualTo('w');
    ByteBuffer payload = x.payload();
    assertThat(payload.position()).isZero();
    assertThat(payload.remaining()).isEqualTo(6);
    assertThat(payload.isReadOnly()).isTrue();
    assertThat(payload.get(0)).isEqualTo((byte) 'B');
    // Every call gives an independent view.
    payload.get();
    assertThat(x.payload().position()).isZero();
    assertThat(x.payloadLength()).isEqualTo(6);
  }

  @Test
  void xlogDataWithEmptyPayloadAndFromAnOffsetBuffer() {
    assertThat(((XLogData) ReplicationFrames.decode(xlogData(new byte[0]))).payloadLength())
        .isZero();

    byte[] frame = xlogData(new byte[] {1, 2, 3});
    byte[] padded = new byte[frame.length + 8];
    System.arraycopy(frame, 0, padded, 4, frame.length);
    ByteBuffer buffer = ByteBuffer.wrap(padded, 4, frame.length);
    XLogData x = (XLogData) ReplicationFrames.decode(buffer);
    assertThat(buffer.position()).isEqualTo(4);
    assertThat(buffer.limit()).isEqualTo(4 + frame.length);
    ByteBuffer payload = x.payload();
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    assertThat(bytes).containsExactly(1, 2, 3);
  }

  @Test
  void aLittleEndianCallerBufferIsStillReadBigEndianAndKeepsItsOrder() {
    ByteBuffer le =
        ByteBuffer.wrap(xlogData(new byte[] {'B'})).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    XLogData x = (XLogData) ReplicationFrames.decode(le);
    assertThat(x.walStart()).isEqualTo(Lsn.parse("16/B374D848"));
    assertThat(x.walEnd()).isEqualTo(Lsn.parse("16/B374D900"));
    assertThat(x.sendTime()).isEqualTo(T);
    assertThat(x.payload().order()).isEqualTo(java.nio.ByteOrder.BIG_ENDIAN);
    assertThat(le.order()).isEqualTo(java.nio.ByteOrder.LITTLE_ENDIAN);

    ByteBuffer leKeepalive =
        ByteBuffer.wrap(keepalive(true)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    assertThat(ReplicationFrames.decode(leKeepalive))
        .isEqualTo(new PrimaryKeepalive(Lsn.parse("1/0"), T, true));
    assertThat(leKeepalive.order()).isEqualTo(java.nio.ByteOrder.LITTLE_ENDIAN);
  }

  /** The read loop's in-place reading gives what decode gives, and rejects what it rejects. */
  @Test
  void anXLogDataFrameReadInPlaceMatchesItsDecoding() {
    byte[] frame = xlogData("Bhello".getBytes(StandardCharsets.US_ASCII));
    XLogData x = (XLogData) ReplicationFrames.decode(frame);
    assertThat(XLogDataFrame.is(frame)).isTrue();
    assertThat(Lsn.of(XLogDataFrame.walStart(frame))).isEqualTo(x.walStart());
    assertThat(Lsn.of(XLogDataFrame.walEnd(frame))).isEqualTo(x.walEnd());
    assertThat(PgTimestamps.fromPgMicros(XLogDataFrame.sendTimeMicros(frame)))
        .isEqualTo(x.sendTime());
    ByteBuffer payload = XLogDataFrame.payload(frame);
    assertThat(payload.slice()).isEqualTo(x.payload());
    assertThat(payload.position()).isEqualTo(ReplicationFrames.XLOG_DATA_HEADER_LENGTH);
    assertThat(XLogDataFrame.payload(xlogData(new byte[0])).remaining()).isZero();

    assertThat(XLogDataFrame.is(keepalive(true))).isFalse();
    assertThat(XLogDataFrame.is(new byte[0])).isFalse();
    assertThat(XLogDataFrame.is(null)).isFalse();
    byte[] full = xlogData(new byte[0]);
    for (int len = 1; len < full.length; len++) {
      byte[] cut = Arrays.copyOf(full, len);
      assertThat(catchThrowableOfType(PgOutputDecodeException.class, () -> XLogDataFrame.is(cut)))
          .hasMessage(
              catchThrowableOfType(
                      PgOutputDecodeException.class, () -> ReplicationFrames.decode(cut))
                  .getMessage());
    }
  }

  @Test
  void keepalive() {
    assertThat(ReplicationFrames.decode(keepalive(true)))
        .isEqualTo(new PrimaryKeepalive(Lsn.parse("1/0"), T, true));
    assertThat(((PrimaryKeepalive) ReplicationFrames.decode(keepalive(false))).replyRequested())
        .isFalse();
  }

  @Test
  void standbyStatusUpdateLayout() {
    byte[] bytes =
        ReplicationFrames.standbyStatusUpdate(
            Lsn.parse("0/10"), Lsn.parse("0/20"), Lsn.parse("FFFFFFFF/FFFFFFFF"), T, true);
    assertThat(HexFormat.of().formatHex(bytes))
        .isEqualTo(
            "72"
                + "0000000000000010"
                + "0000000000000020"
                + "ffffffffffffffff"
                + String.format("%016x", T_MICROS)
                + "01");
    byte[] noReply =
        ReplicationFrames.standbyStatusUpdate(
            Lsn.INVALID, Lsn.INVALID, Lsn.INVALID, Instant.parse("2000-01-01T00:00:00Z"), false);
    assertThat(noReply).hasSize(34);
    assertThat(Arrays.copyOfRange(noReply, 25, 34)).containsOnly(0);
  }

  @Test
  void statusUpdateRoundTripsThroughTheTimestampEncoding() {
    Instant before2000 = Instant.parse("1999-12-31T23:59:59.999999Z");
    byte[] bytes =
        ReplicationFrames.standbyStatusUpdate(
            Lsn.INVALID, Lsn.INVALID, Lsn.INVALID, before2000, false);
    assertThat(ByteBuffer.wrap(bytes).getLong(25)).isEqualTo(-1L);
    assertThat(PgTimestamps.fromPgMicros(ByteBuffer.wrap(bytes).getLong(25))).isEqualTo(before2000);
  }

  @Test
  void malformedFrames() {
    check(new byte[0], '?', 0, "malformed replication frame at byte 0: empty frame");
    check(
        new byte[] {'x', 0},
        'x',
        0,
        "malformed replication frame at byte 0: unknown frame type 'x' (0x78) (expected 'w' or 'k')");
    check(
        Arrays.copyOf(xlogData(new byte[0]), 24),
        'w',
        24,
        "malformed replication XLogData frame at byte 24: truncated, the frame needs at least 25 bytes but has 24");
    check(
        Arrays.copyOf(keepalive(true), 17),
        'k',
        17,
        "malformed replication primary keepalive frame at byte 17: truncated, the frame needs 18 bytes but has 17");
    check(
        Arrays.copyOf(keepalive(true), 20),
        'k',
        18,
        "malformed replication primary keepalive frame at byte 18: 2 unexpected bytes after the end of the frame");
    PgOutputDecodeException e =
        catchThrowableOfType(
            PgOutputDecodeException.class, () -> ReplicationFrames.decode((byte[]) null));
    assertThat(e.messageType()).isEqualTo('?');
  }

  @Test
  void everyTruncationOfAValidFrameIsRejectedCleanly() {
    for (byte[] frame : new byte[][] {xlogData(new byte[0]), keepalive(true)}) {
      for (int len = 0; len < frame.length; len++) {
        byte[] cut = Arrays.copyOf(frame, len);
        assertThatThrownBy(() -> ReplicationFrames.decode(cut))
            .isInstanceOf(PgOutputDecodeException.class);
      }
    }
  }

  @Test
  void infiniteSendTimes() {
    byte[] frame = keepalive(false);
    ByteBuffer.wrap(frame).putLong(9, Long.MAX_VALUE);
    assertThat(((PrimaryKeepalive) ReplicationFrames.decode(frame)).sendTime())
        .isEqualTo(Instant.MAX);
  }

  private static void check(byte[] frame, char type, int offset, String message) {
    PgOutputDecodeException e =
        catchThrowableOfType(PgOutputDecodeException.class, () -> ReplicationFrames.decode(frame));
    assertThat(e).hasMessage(message);
    assertThat(e.messageType()).isEqualTo(type);
    assertThat(e.offset()).isEqualTo(offset);
  }
}
