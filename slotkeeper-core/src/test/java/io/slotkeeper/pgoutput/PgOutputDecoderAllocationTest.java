package io.slotkeeper.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * What decoding a row change allocates per column: the value's view and its slot in the tuple, not
 * more. Issue 16's profile of a 1,000,000-insert catch-up found the decoder building an error text
 * ("tuple column N") for every column of every row whether or not it was needed (6% of the source's
 * CPU). Counted in bytes allocated by this thread (HotSpot's per-thread counter), not timed: the
 * difference between a 2-column and a 34-column insert, over many decodes, per column.
 */
class PgOutputDecoderAllocationTest {
  private static final int OID = 16400;
  private static final int DECODES = 20_000;

  @Test
  void aValidColumnAllocatesOnlyItsValue() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeThat(bean).isInstanceOf(com.sun.management.ThreadMXBean.class);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);

    long narrow = bytesPerDecode(threads, 2);
    long wide = bytesPerDecode(threads, 34);
    double perColumn = (wide - narrow) / 32.0;
    // A value view (an object of a few fields), its reference in the tuple's array and its bytes
    // (5 header bytes + 2 of text) in the tuple's copy: about 40 bytes on a 64-bit JVM. An error
    // text built eagerly adds a String and its array: 100 bytes and more.
    assertThat(perColumn).as("bytes allocated per extra column").isLessThan(64);
  }

  private static long bytesPerDecode(com.sun.management.ThreadMXBean threads, int columns) {
    PgOutputDecoder decoder = new PgOutputDecoder(1, false);
    PgOutputBytes relation =
        PgOutputBytes.message('R')
            .i32(OID)
            .cstring("public")
            .cstring("t" + columns)
            .u8('d')
            .i16(columns);
    PgOutputBytes insert = PgOutputBytes.message('I').i32(OID).u8('N').tuple(columns);
    for (int i = 0; i < columns; i++) {
      relation.column(i == 0, "c" + i, 25, -1);
      insert.textColumn("v" + (i % 10));
    }
    decoder.decode(ByteBuffer.wrap(relation.bytes()));
    ByteBuffer message = ByteBuffer.wrap(insert.bytes());
    // Warm: the first decodes load classes and run interpreted.
    for (int i = 0; i < DECODES; i++) {
      decoder.decode(message.duplicate());
    }
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    for (int i = 0; i < DECODES; i++) {
      decoder.decode(message.duplicate());
    }
    return (threads.getThreadAllocatedBytes(tid) - before) / DECODES;
  }
}
