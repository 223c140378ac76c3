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
    double perColumn = bytesPerExtraColumn(true);
    // Decoded and every value read: a value view (an object of a few fields), its reference in the
    // tuple's array and its bytes (5 header bytes + 2 of text) in the tuple's copy: about 40 bytes
    // on a 64-bit JVM. An error text built eagerly adds a String and its array: 100 bytes and more.
    assertThat(perColumn).as("bytes allocated per extra column").isLessThan(64);
  }

  /**
   * A consumer that never reads a change's values (routing, counting, acknowledging) pays no value
   * objects: the tuple keeps the message's bytes, and views are made on first use (issue 16: the
   * views were the largest part of decoding in the catch-up profile).
   */
  @Test
  void valuesNotReadCostOnlyTheirBytes() {
    double perColumn = bytesPerExtraColumn(false);
    // The column's 7 bytes (kind, length, "vN") in the tuple's copy, rounded up to 8 by the array.
    // A view made per column at decode time adds its object and array slot: 28 bytes and more.
    assertThat(perColumn).as("bytes allocated per extra column, values not read").isLessThan(16);
  }

  /** The difference between a 2-column and a 34-column insert, per column. */
  private static double bytesPerExtraColumn(boolean readValues) {
    com.sun.management.ThreadMXBean threads = allocationCounter();
    long narrow = bytesPerDecode(threads, 2, readValues);
    long wide = bytesPerDecode(threads, 34, readValues);
    return (wide - narrow) / 32.0;
  }

  private static com.sun.management.ThreadMXBean allocationCounter() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeThat(bean).isInstanceOf(com.sun.management.ThreadMXBean.class);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
    return threads;
  }

  private static long bytesPerDecode(
      com.sun.management.ThreadMXBean threads, int columns, boolean readValues) {
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
      decode(decoder, message, readValues);
    }
    long tid = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(tid);
    for (int i = 0; i < DECODES; i++) {
      decode(decoder, message, readValues);
    }
    return (threads.getThreadAllocatedBytes(tid) - before) / DECODES;
  }

  private static int sink;

  private static void decode(PgOutputDecoder decoder, ByteBuffer message, boolean readValues) {
    Insert insert = (Insert) decoder.decode(message.duplicate());
    if (readValues) {
      TupleData tuple = insert.newTuple();
      for (int i = 0; i < tuple.size(); i++) {
        sink += tuple.get(i).hasBytes() ? 1 : 0; // used, so the views are not optimised away
      }
    }
  }
}
