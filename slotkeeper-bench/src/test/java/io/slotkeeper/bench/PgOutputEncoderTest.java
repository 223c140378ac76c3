package io.slotkeeper.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.pgoutput.Delete;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.PgOutputDecoder;
import io.slotkeeper.pgoutput.Update;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's messages must be real pgoutput: the decoder reads back exactly what was encoded.
 */
class PgOutputEncoderTest {

  @Test
  void everyBenchmarkMessageDecodesToItsValues() {
    for (String shape : new String[] {"narrow", "wide"}) {
      PgOutputDecoder decoder = new PgOutputDecoder(1, false);
      decoder.decode(
          ByteBuffer.wrap(
              PgOutputEncoder.relation(
                  DecoderBenchmark.OID, "public", "t", RowShapes.columns(shape))));
      String[] values = RowShapes.values(shape, 1_000_003L);

      Insert insert =
          (Insert)
              decoder.decode(ByteBuffer.wrap(PgOutputEncoder.insert(DecoderBenchmark.OID, values)));
      assertThat(insert.newTuple().size()).isEqualTo(values.length);
      for (int i = 0; i < values.length; i++) {
        assertThat(insert.newTuple().get(i).isNull()).isEqualTo(values[i] == null);
        if (values[i] != null) {
          assertThat(insert.newTuple().get(i).text()).isEqualTo(values[i]);
        }
      }

      Update update =
          (Update)
              decoder.decode(ByteBuffer.wrap(PgOutputEncoder.update(DecoderBenchmark.OID, values)));
      assertThat(update.oldTuple()).isNull();
      assertThat(update.newTuple()).isEqualTo(insert.newTuple());

      Delete delete =
          (Delete)
              decoder.decode(
                  ByteBuffer.wrap(
                      PgOutputEncoder.delete(
                          DecoderBenchmark.OID, RowShapes.columns(shape), values)));
      assertThat(delete.oldTuple().get(0).text()).isEqualTo(values[0]);
      for (int i = 1; i < values.length; i++) {
        assertThat(delete.oldTuple().get(i).isNull()).isTrue();
      }
    }
  }

  @Test
  void benchmarkSetupDecodesEveryConfiguration() {
    for (String shape : new String[] {"narrow", "wide"}) {
      for (String op : new String[] {"insert", "update", "delete"}) {
        DecoderBenchmark b = new DecoderBenchmark();
        b.shape = shape;
        b.op = op;
        b.setup();
        b.decode(
            new org.openjdk.jmh.infra.Blackhole(
                "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous."));
      }
    }
  }
}
