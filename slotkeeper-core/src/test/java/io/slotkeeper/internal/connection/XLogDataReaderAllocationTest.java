package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.Lsn;
import io.slotkeeper.internal.source.AckTarget;
import io.slotkeeper.pgoutput.PgOutputDecoder;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.junit.jupiter.api.Test;

/**
 * What the read loop allocates per XLogData frame besides what decoding its pgoutput message does:
 * the envelope, its offset and its LSN, and one buffer over the frame's payload; not more. Issue
 * 16's profile of a 1,000,000-insert catch-up found a quarter of the embedded source's allocation
 * here: the frame's send time as an Instant, its WAL end as an Lsn, an XLogData record and five
 * ByteBuffer views of one payload (the frame's, its duplicate, the record's slice and read-only
 * copy, and a fresh view for each of the two readers). Counted in bytes allocated by this thread
 * (HotSpot's per-thread counter), not timed.
 */
class XLogDataReaderAllocationTest {
  private static final AckTarget ACK = end -> CompletableFuture.completedFuture(Done.getInstance());
  private static final int OID = 16400;
  private static final int FRAMES = 20_000;

  @Test
  void aFrameAllocatesLittleBeyondItsDecodedMessage() throws Exception {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeThat(bean).isInstanceOf(com.sun.management.ThreadMXBean.class);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
    // The sizes below are those of references of 4 bytes (heaps under 32 GB).
    assumeThat(
            ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .getVMOption("UseCompressedOops")
                .getValue())
        .isEqualTo("true");

    byte[] insert = insert();
    XLogDataReader reader =
        new XLogDataReader(
            new PgOutputDecoder(1, false), new EnvelopeAssembler(ACK, null), m -> {});
    reader.read(frame(0x100, relation()), Lsn.INVALID);
    assertThat(reader.read(frame(0x200, begin()), Lsn.INVALID).kind())
        .isEqualTo(ChangeEnvelope.Kind.BEGIN);
    byte[] insertFrame = frame(0x300, insert);
    ChangeEnvelope env = reader.read(insertFrame, Lsn.INVALID);
    assertThat(env.kind()).isEqualTo(ChangeEnvelope.Kind.INSERT);
    assertThat(env.lsn()).isEqualTo(Lsn.of(0x300));
    assertThat(reader.walStart()).isEqualTo(Lsn.of(0x300));

    long whole = bytesPerFrame(threads, () -> reader.read(insertFrame, Lsn.INVALID));
    PgOutputDecoder decoder = new PgOutputDecoder(1, false);
    decoder.decode(ByteBuffer.wrap(relation()));
    ByteBuffer message = ByteBuffer.wrap(insert);
    long decodeOnly = bytesPerFrame(threads, () -> decoder.decode(message.duplicate()));
    long extra = whole - decodeOnly;
    System.out.println(
        "per insert frame: " + whole + " bytes, decoding alone " + decodeOnly + ", rest " + extra);
    // The envelope (~72 bytes), its offset (~24) and its Lsn (~24): 124 bytes measured on JDK 17.
    // Any one of the old path's objects back (an Instant or an Lsn 24 bytes, a ByteBuffer view
    // ~48, the XLogData record ~32) takes it past the bound; the old path measured 241.
    assertThat(extra).as("bytes allocated per frame besides decoding its message").isLessThan(140);
  }

  private interface Step {
    void run() throws Exception;
  }

  private static long bytesPerFrame(com.sun.management.ThreadMXBean threads, Step step)
      throws Exception {
    // Warm: the first runs load classes and run interpreted.
    for (int i = 0; i < FRAMES; i++) {
      step.run();
    }
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    for (int i = 0; i < FRAMES; i++) {
      step.run();
    }
    return (threads.getThreadAllocatedBytes(tid) - before) / FRAMES;
  }

  private static byte[] frame(long walStart, byte[] payload) {
    return ByteBuffer.allocate(25 + payload.length)
        .put((byte) 'w')
        .putLong(walStart)
        .putLong(walStart + payload.length)
        .putLong(768_294_489_123_456L)
        .put(payload)
        .array();
  }

  private static byte[] relation() {
    ByteBuffer b = ByteBuffer.allocate(256).put((byte) 'R').putInt(OID);
    cstring(b, "public");
    cstring(b, "t");
    b.put((byte) 'd').putShort((short) 2);
    b.put((byte) 1);
    cstring(b, "id");
    b.putInt(23).putInt(-1);
    b.put((byte) 0);
    cstring(b, "note");
    b.putInt(25).putInt(-1);
    return bytes(b);
  }

  private static byte[] begin() {
    return ByteBuffer.allocate(21)
        .put((byte) 'B')
        .putLong(0x1000)
        .putLong(768_294_489_123_456L)
        .putInt(7)
        .array();
  }

  private static byte[] insert() {
    ByteBuffer b = ByteBuffer.allocate(64).put((byte) 'I').putInt(OID).put((byte) 'N');
    b.putShort((short) 2);
    b.put((byte) 't').putInt(2).put("42".getBytes(StandardCharsets.US_ASCII));
    b.put((byte) 't').putInt(5).put("hello".getBytes(StandardCharsets.US_ASCII));
    return bytes(b);
  }

  private static void cstring(ByteBuffer b, String s) {
    b.put(s.getBytes(StandardCharsets.UTF_8)).put((byte) 0);
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(b.array(), 0, b.position());
    return out.toByteArray();
  }
}
