package io.slotkeeper.pgoutput;

import static io.slotkeeper.pgoutput.PgOutputSamples.ACCOUNTS_OID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PgOutputDecoderMalformedTest {

  private static final int WIDE_OID = 20000;

  /** Protocol 4 decoder that knows ACCOUNTS, AUDIT and a 4-column relation WIDE_OID. */
  private final PgOutputDecoder d = new PgOutputDecoder(4, true);

  {
    d.decode(ByteBuffer.wrap(PgOutputSamples.accountsRelation(0)));
    d.decode(ByteBuffer.wrap(PgOutputSamples.auditRelation(0)));
    d.decode(
        PgOutputBytes.message('R')
            .i32(WIDE_OID)
            .cstring("public")
            .cstring("wide")
            .u8('d')
            .i16(4)
            .column(true, "a", 23, -1)
            .column(false, "b", 25, -1)
            .column(false, "c", 25, -1)
            .column(false, "d", 25, -1)
            .buffer());
  }

  private PgOutputDecodeException malformed(byte[] bytes) {
    return malformed(d, bytes);
  }

  private static PgOutputDecodeException malformed(PgOutputDecoder decoder, byte[] bytes) {
    PgOutputDecodeException e =
        catchThrowableOfType(
            PgOutputDecodeException.class, () -> decoder.decode(ByteBuffer.wrap(bytes)));
    assertThat(e).as("decoding should have failed").isNotNull();
    return e;
  }

  private static void check(PgOutputDecodeException e, char type, int offset, String message) {
    assertThat(e.messageType()).isEqualTo(type);
    assertThat(e.offset()).isEqualTo(offset);
    assertThat(e).hasMessage(message);
  }

  @Test
  void emptyPayload() {
    check(malformed(new byte[0]), '?', 0, "malformed pgoutput message at byte 0: empty payload");
  }

  @Test
  void nullPayload() {
    PgOutputDecodeException e =
        catchThrowableOfType(PgOutputDecodeException.class, () -> d.decode(null));
    assertThat(e.messageType()).isEqualTo('?');
    assertThat(e.offset()).isZero();
  }

  @Test
  void unknownMessageType() {
    check(
        malformed(new byte[] {'Z', 1, 2}),
        'Z',
        0,
        "malformed pgoutput message at byte 0: unknown message type 'Z' (0x5A)");
    check(
        malformed(new byte[] {(byte) 0xC3}),
        (char) 0xC3,
        0,
        "malformed pgoutput message at byte 0: unknown message type 0xC3");
  }

  @Test
  void truncatedFixedField() {
    byte[] begin = PgOutputSamples.begin();
    check(
        malformed(Arrays.copyOf(begin, 5)),
        'B',
        1,
        "malformed pgoutput Begin message at byte 1: truncated: final LSN needs 8 bytes but only 4 remain");
    check(
        malformed(Arrays.copyOf(begin, 19)),
        'B',
        17,
        "malformed pgoutput Begin message at byte 17: truncated: transaction id needs 4 bytes but only 2 remain");
  }

  @Test
  void trailingBytesAreRejected() {
    byte[] begin = PgOutputSamples.begin();
    check(
        malformed(Arrays.copyOf(begin, begin.length + 2)),
        'B',
        21,
        "malformed pgoutput Begin message at byte 21: 2 unexpected bytes after the end of the message");
    PgOutputDecoder streaming = new PgOutputDecoder(2, false);
    streaming.decode(ByteBuffer.wrap(PgOutputSamples.streamStart(true)));
    check(
        malformed(streaming, new byte[] {'E', 0}),
        'E',
        1,
        "malformed pgoutput Stream Stop message at byte 1: 1 unexpected byte after the end of the message");
  }

  @Test
  void tupleColumnLongerThanThePayload() {
    byte[] bytes =
        PgOutputBytes.message('I')
            .i32(WIDE_OID)
            .u8('N')
            .tuple(4)
            .nullColumn()
            .nullColumn()
            .nullColumn()
            .u8('t')
            .i32(900)
            .raw(new byte[12])
            .bytes();
    check(
        malformed(bytes),
        'I',
        12,
        "malformed pgoutput Insert message at byte 12: tuple column 3 declares length 900 but only 12 bytes remain");
  }

  @Test
  void negativeTupleColumnLength() {
    byte[] bytes =
        PgOutputBytes.message('I')
            .i32(ACCOUNTS_OID)
            .u8('N')
            .tuple(3)
            .textColumn("1")
            .u8('b')
            .i32(-1)
            .nullColumn()
            .bytes();
    check(
        malformed(bytes),
        'I',
        15,
        "malformed pgoutput Insert message at byte 15: tuple column 1 declares negative length -1");
  }

  @Test
  void truncatedTupleColumnLength() {
    byte[] bytes =
        PgOutputBytes.message('I').i32(ACCOUNTS_OID).u8('N').tuple(3).u8('t').i16(0).bytes();
    check(
        malformed(bytes),
        'I',
        9,
        "malformed pgoutput Insert message at byte 9: truncated: tuple column 0 length needs 4 bytes but only 2 remain");
  }

  @Test
  void missingTupleColumns() {
    byte[] bytes =
        PgOutputBytes.message('I').i32(ACCOUNTS_OID).u8('N').tuple(3).nullColumn().bytes();
    check(
        malformed(bytes),
        'I',
        9,
        "malformed pgoutput Insert message at byte 9: truncated: tuple column 1 kind byte is missing");
  }

  @Test
  void invalidTupleKindByte() {
    byte[] bytes =
        PgOutputBytes.message('I')
            .i32(ACCOUNTS_OID)
            .u8('N')
            .tuple(3)
            .nullColumn()
            .u8('x')
            .nullColumn()
            .bytes();
    check(
        malformed(bytes),
        'I',
        9,
        "malformed pgoutput Insert message at byte 9: tuple column 1 has unknown"
            + " kind 'x' (0x78) (expected 'n', 'u', 't' or 'b')");
  }

  @Test
  void tupleColumnCountDiffersFromTheRelation() {
    byte[] bytes =
        PgOutputBytes.message('I')
            .i32(ACCOUNTS_OID)
            .u8('N')
            .tuple(2)
            .nullColumn()
            .nullColumn()
            .bytes();
    check(
        malformed(bytes),
        'I',
        6,
        "malformed pgoutput Insert message at byte 6: tuple has 2 columns but relation public.accounts"
            + " (oid 16384) has 3");
    byte[] negative = PgOutputBytes.message('I').i32(ACCOUNTS_OID).u8('N').tuple(-3).bytes();
    check(
        malformed(negative),
        'I',
        6,
        "malformed pgoutput Insert message at byte 6: negative tuple column count -3");
  }

  @Test
  void insertWithoutNewTupleMarker() {
    byte[] bytes =
        PgOutputBytes.message('I')
            .i32(ACCOUNTS_OID)
            .u8('K')
            .tuple(3)
            .nullColumn()
            .nullColumn()
            .nullColumn()
            .bytes();
    check(
        malformed(bytes),
        'I',
        5,
        "malformed pgoutput Insert message at byte 5: expected new tuple marker 'N' but found 'K' (0x4B)");
  }

  @Test
  void updateMarkers() {
    byte[] bad = PgOutputBytes.message('U').i32(ACCOUNTS_OID).u8('X').bytes();
    check(
        malformed(bad),
        'U',
        5,
        "malformed pgoutput Update message at byte 5: expected tuple marker 'K', 'O' or 'N' but found 'X' (0x58)");
    byte[] oldOnly =
        PgOutputBytes.message('U')
            .i32(ACCOUNTS_OID)
            .u8('K')
            .tuple(3)
            .nullColumn()
            .nullColumn()
            .nullColumn()
            .bytes();
    check(
        malformed(oldOnly),
        'U',
        11,
        "malformed pgoutput Update message at byte 11: truncated: new tuple marker needs 1 bytes but only 0 remain");
  }

  @Test
  void deleteNeedsAnOldTupleMarker() {
    byte[] bytes =
        PgOutputBytes.message('D')
            .i32(ACCOUNTS_OID)
            .u8('N')
            .tuple(3)
            .nullColumn()
            .nullColumn()
            .nullColumn()
            .bytes();
    check(
        malformed(bytes),
        'D',
        5,
        "malformed pgoutput Delete message at byte 5: expected old tuple marker 'K' or 'O' but found 'N' (0x4E)");
  }

  @Test
  void unknownRelation() {
    byte[] bytes = PgOutputBytes.message('D').i32(99999).u8('K').tuple(0).bytes();
    check(
        malformed(bytes),
        'D',
        1,
        "malformed pgoutput Delete message at byte 1: unknown relation oid 99999:"
            + " no Relation message for it was received since the decoder was created or reset");
    byte[] truncate = PgOutputBytes.message('T').i32(2).u8(0).i32(ACCOUNTS_OID).i32(12345).bytes();
    PgOutputDecodeException e = malformed(truncate);
    assertThat(e.offset()).isEqualTo(10);
    assertThat(e).hasMessageContaining("unknown relation oid 12345");
  }

  @Test
  void truncateCounts() {
    check(
        malformed(PgOutputBytes.message('T').i32(-1).u8(0).bytes()),
        'T',
        1,
        "malformed pgoutput Truncate message at byte 1: negative relation count -1");
    check(
        malformed(
            PgOutputBytes.message('T').i32(Integer.MAX_VALUE).u8(0).i32(ACCOUNTS_OID).bytes()),
        'T',
        1,
        "malformed pgoutput Truncate message at byte 1: relation count 2147483647 needs 8589934588 bytes"
            + " of oids but only 4 remain");
  }

  @Test
  void messageContentLengths() {
    byte[] negative = PgOutputBytes.message('M').u8(1).lsn("0/1").cstring("p").i32(-5).bytes();
    check(
        malformed(negative),
        'M',
        12,
        "malformed pgoutput Message message at byte 12: message content declares negative length -5");
    byte[] huge =
        PgOutputBytes.message('M')
            .u8(1)
            .lsn("0/1")
            .cstring("p")
            .i32(Integer.MAX_VALUE)
            .raw(new byte[3])
            .bytes();
    check(
        malformed(huge),
        'M',
        12,
        "malformed pgoutput Message message at byte 12: message content declares"
            + " length 2147483647 but only 3 bytes remain");
  }

  @Test
  void missingStringTerminator() {
    byte[] bytes =
        PgOutputBytes.message('R').i32(1).cstring("public").raw("accounts".getBytes()).bytes();
    check(
        malformed(bytes),
        'R',
        12,
        "malformed pgoutput Relation message at byte 12: relation name is missing"
            + " its NUL terminator (the string runs to the end of the payload)");
  }

  @Test
  void invalidUtf8InAName() {
    byte[] bytes =
        PgOutputBytes.message('O')
            .lsn("0/1")
            .raw((byte) 'a', (byte) 0xC3, (byte) 0x28, (byte) 0)
            .bytes();
    check(
        malformed(bytes),
        'O',
        9,
        "malformed pgoutput Origin message at byte 9: origin name is not valid UTF-8");
  }

  @Test
  void relationCountsAndReplicaIdentity() {
    byte[] identity =
        PgOutputBytes.message('R').i32(1).cstring("s").cstring("t").u8('q').i16(0).bytes();
    check(
        malformed(identity),
        'R',
        9,
        "malformed pgoutput Relation message at byte 9: unknown replica identity"
            + " 'q' (0x71) (expected 'd', 'n', 'f' or 'i')");
    byte[] negative =
        PgOutputBytes.message('R').i32(1).cstring("s").cstring("t").u8('d').i16(-2).bytes();
    check(
        malformed(negative),
        'R',
        10,
        "malformed pgoutput Relation message at byte 10: negative column count -2");
    byte[] tooMany =
        PgOutputBytes.message('R')
            .i32(1)
            .cstring("s")
            .cstring("t")
            .u8('d')
            .i16(1000)
            .column(false, "a", 23, -1)
            .bytes();
    check(
        malformed(tooMany),
        'R',
        10,
        "malformed pgoutput Relation message at byte 10: column count 1000 needs"
            + " at least 10000 bytes but only 11 remain");
  }

  @Test
  void versionGate() {
    check(
        malformed(new PgOutputDecoder(2, false), PgOutputSamples.beginPrepare()),
        'b',
        0,
        "malformed pgoutput Begin Prepare message at byte 0: message type 'b' (0x62) needs protocol"
            + " version 3 but the decoder was configured for version 2");
  }

  @Test
  void parallelStreamAbortWithoutLsnAndTimeIsTruncated() {
    check(
        malformed(PgOutputSamples.streamAbort(false)),
        'A',
        9,
        "malformed pgoutput Stream Abort message at byte 9: truncated: abort LSN needs 8 bytes but only 0 remain");
    // And the reverse: a non-parallel decoder sees the extra 16 bytes as trailing garbage.
    check(
        malformed(new PgOutputDecoder(4, false), PgOutputSamples.streamAbort(true)),
        'A',
        9,
        "malformed pgoutput Stream Abort message at byte 9: 16 unexpected bytes after the end of the message");
  }

  @Test
  void aFailedMessageChangesNoState() {
    byte[] relation = PgOutputSamples.accountsRelation(0);
    PgOutputDecoder fresh = new PgOutputDecoder(4, true);
    malformed(fresh, Arrays.copyOf(relation, relation.length + 1));
    assertThat(fresh.relations().size()).isZero();

    byte[] start = PgOutputSamples.streamStart(true);
    malformed(fresh, Arrays.copyOf(start, start.length + 1));
    assertThat(fresh.inStreamBlock()).isFalse();

    fresh.decode(ByteBuffer.wrap(start));
    malformed(fresh, new byte[] {'E', 0});
    assertThat(fresh.inStreamBlock()).isTrue();
  }

  @Test
  void offsetsAreRelativeToTheBufferPosition() {
    byte[] msg = PgOutputBytes.message('B').lsn("0/1").bytes();
    byte[] framed = new byte[msg.length + 7];
    System.arraycopy(msg, 0, framed, 7, msg.length);
    PgOutputDecodeException e =
        catchThrowableOfType(
            PgOutputDecodeException.class, () -> d.decode(ByteBuffer.wrap(framed, 7, msg.length)));
    assertThat(e.offset()).isEqualTo(9);
    assertThat(e).hasMessageContaining("commit timestamp needs 8 bytes but only 0 remain");
  }
}
