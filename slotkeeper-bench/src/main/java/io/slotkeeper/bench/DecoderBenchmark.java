package io.slotkeeper.bench;

import io.slotkeeper.Lsn;
import io.slotkeeper.internal.wire.XLogDataFrame;
import io.slotkeeper.pgoutput.PgOutputDecoder;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoder throughput on one thread (so the figures are per core): messages per second for row
 * changes of a narrow and a wide table. {@code decode} is {@link PgOutputDecoder#decode} alone;
 * {@code frameAndDecode} adds what the connection does before it for every message (reading the
 * XLogData frame around the payload, in place as the read loop does), which is the decoder's real
 * per-message cost in the source.
 *
 * <p>Each invocation decodes {@link #BATCH} different pre-encoded messages, so the values vary and
 * the loop overhead is amortised; {@link OperationsPerInvocation} turns the score into messages/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecoderBenchmark {
  static final int BATCH = 1024;
  static final int OID = 16_385;

  @Param({"narrow", "wide"})
  public String shape;

  @Param({"insert", "update", "delete"})
  public String op;

  private PgOutputDecoder decoder;
  private ByteBuffer[] payloads;
  private byte[][] frames;

  @Setup
  public void setup() {
    decoder = new PgOutputDecoder(1, false);
    decoder.decode(
        ByteBuffer.wrap(
            PgOutputEncoder.relation(OID, "public", "bench_" + shape, RowShapes.columns(shape))));
    byte[][] raw = messages(shape, op);
    payloads = new ByteBuffer[raw.length];
    frames = new byte[raw.length][];
    for (int i = 0; i < raw.length; i++) {
      payloads[i] = ByteBuffer.wrap(raw[i]);
      frames[i] = PgOutputEncoder.xlogData(0x1_0000_0000L + i * 128L, 800_000_000_000_000L, raw[i]);
    }
  }

  /** The benchmark's messages for one configuration; also used to work out MB/s. */
  static byte[][] messages(String shape, String op) {
    byte[][] out = new byte[BATCH][];
    for (int i = 0; i < BATCH; i++) {
      String[] values = RowShapes.values(shape, 1_000_000L + i);
      out[i] =
          switch (op) {
            case "insert" -> PgOutputEncoder.insert(OID, values);
            case "update" -> PgOutputEncoder.update(OID, values);
            case "delete" -> PgOutputEncoder.delete(OID, RowShapes.columns(shape), values);
            default -> throw new IllegalArgumentException(op);
          };
    }
    return out;
  }

  /** Mean pgoutput payload size in bytes of one configuration's messages. */
  static double meanPayloadBytes(String shape, String op) {
    long total = 0;
    byte[][] m = messages(shape, op);
    for (byte[] b : m) {
      total += b.length;
    }
    return (double) total / m.length;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void decode(Blackhole bh) {
    for (ByteBuffer p : payloads) {
      bh.consume(decoder.decode(p));
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void frameAndDecode(Blackhole bh) {
    // As the source's read loop does it (XLogDataReader): the frame read in place, its WAL start
    // an Lsn (every envelope carries one), one buffer over the payload.
    for (byte[] f : frames) {
      if (XLogDataFrame.is(f)) {
        bh.consume(Lsn.of(XLogDataFrame.walStart(f)));
        bh.consume(XLogDataFrame.sendTimeMicros(f));
        bh.consume(decoder.decode(XLogDataFrame.payload(f)));
      }
    }
  }
}
