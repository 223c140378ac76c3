package io.slotkeeper.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property: whatever bytes arrive, {@link PgOutputDecoder#decode} returns a message or throws
 * {@link PgOutputDecodeException}; never another exception, never an offset outside the payload,
 * never a moved buffer position, and never a malformation that only the decoder's catch-all
 * noticed.
 *
 * <p>Deterministic by default. To reproduce or explore, run with {@code -Dslotkeeper.fuzz.seed=N}
 * (the seed is in every failure message) and optionally {@code -Dslotkeeper.fuzz.inputs=N}.
 */
class PgOutputDecoderFuzzTest {

  private static final long DEFAULT_SEED = 0x5EED_2024_0506L;
  private static final int DEFAULT_MUTATIONS = 150_000;
  private static final int RANDOM_INPUTS = 30_000;

  /** Protocol configurations a decoder can be in: {version, parallel streaming}. */
  private static final int[][] CONFIGS = {{1, 0}, {2, 0}, {3, 0}, {4, 0}, {4, 1}};

  private static final char[] TAGS = "BCORYIUDTMSEcAbPKrp".toCharArray();
  private static final int[] INTERESTING_BYTES = {
    0, 1, 0x7F, 0x80, 0xFF, 'n', 'u', 't', 'b', 'N', 'K', 'O', 'd'
  };
  private static final int[] INTERESTING_INTS = {
    0,
    1,
    -1,
    2,
    3,
    4,
    8,
    16,
    255,
    0x7FFF,
    0x8000,
    0xFFFF,
    Integer.MAX_VALUE,
    Integer.MIN_VALUE,
    Integer.MAX_VALUE - 7,
    0x10000,
    -65536
  };

  private final long seed = Long.getLong("slotkeeper.fuzz.seed", DEFAULT_SEED);
  private final int mutations = Integer.getInteger("slotkeeper.fuzz.inputs", DEFAULT_MUTATIONS);

  private int decoded;
  private int rejected;

  /** A valid message and whether it must be decoded inside a stream block. */
  private record Sample(byte[] bytes, boolean inStream) {}

  @Test
  void decodeNeverThrowsAnythingButPgOutputDecodeException() {
    SplittableRandom random = new SplittableRandom(seed);
    List<Sample> samples = new ArrayList<>();
    PgOutputSamples.outsideStream().forEach(b -> samples.add(new Sample(b, false)));
    PgOutputSamples.insideStream().forEach(b -> samples.add(new Sample(b, true)));
    // Layouts only valid without parallel streaming, so mutations also start from those.
    samples.add(new Sample(PgOutputSamples.streamAbort(false), false));

    long start = System.nanoTime();
    int inputs = 0;

    // 1. Every truncation of every sample, under every configuration.
    for (Sample s : samples) {
      for (int[] config : CONFIGS) {
        for (int len = 0; len <= s.bytes.length; len++) {
          check(
              decoderFor(config, s.inStream),
              Arrays.copyOf(s.bytes, len),
              random,
              "truncation",
              inputs++);
        }
      }
    }

    // 2. Random bytes behind a random (mostly known) message type.
    for (int i = 0; i < RANDOM_INPUTS; i++) {
      byte[] input = new byte[random.nextInt(64)];
      random.nextBytes(input);
      if (input.length > 0 && random.nextInt(8) != 0) {
        input[0] = (byte) TAGS[random.nextInt(TAGS.length)];
      }
      check(
          decoderFor(CONFIGS[random.nextInt(CONFIGS.length)], random.nextBoolean()),
          input,
          random,
          "random",
          inputs++);
    }

    // 3. Mutations of valid messages.
    for (int i = 0; i < mutations; i++) {
      Sample s = samples.get(random.nextInt(samples.size()));
      byte[] input = s.bytes.clone();
      int rounds = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
      for (int r = 0; r < rounds; r++) {
        input = mutate(input, random);
      }
      int[] config = random.nextInt(3) == 0 ? CONFIGS[random.nextInt(CONFIGS.length)] : CONFIGS[4];
      check(decoderFor(config, s.inStream), input, random, "mutation", inputs++);
    }

    long millis = (System.nanoTime() - start) / 1_000_000;
    System.out.printf(
        "pgoutput fuzz: seed=%d inputs=%d decoded=%d rejected=%d in %d ms%n",
        seed, inputs, decoded, rejected, millis);
    assertThat(inputs).isGreaterThanOrEqualTo(100_000);
    // Guard against a harness that only ever exercises one outcome.
    assertThat(decoded).isGreaterThan(1000);
    assertThat(rejected).isGreaterThan(1000);
  }

  private static PgOutputDecoder decoderFor(int[] config, boolean inStream) {
    PgOutputDecoder d = new PgOutputDecoder(config[0], config[1] == 1);
    d.decode(ByteBuffer.wrap(PgOutputSamples.accountsRelation(0)));
    d.decode(ByteBuffer.wrap(PgOutputSamples.auditRelation(0)));
    if (inStream && config[0] >= 2) {
      d.decode(ByteBuffer.wrap(PgOutputSamples.streamStart(true)));
    }
    return d;
  }

  private void check(
      PgOutputDecoder decoder, byte[] input, SplittableRandom random, String kind, int index) {
    // Place the payload at a random offset, sometimes in a direct buffer, to exercise absolute
    // reads.
    int pad = random.nextInt(4);
    ByteBuffer buffer =
        random.nextInt(8) == 0
            ? ByteBuffer.allocateDirect(input.length + 2 * pad)
            : ByteBuffer.allocate(input.length + 2 * pad);
    buffer.position(pad);
    buffer.put(input);
    buffer.position(pad).limit(pad + input.length);
    try {
      PgOutputMessage message = decoder.decode(buffer);
      assertThat(message).isNotNull();
      message.toString(); // must not throw either, e.g. on lazily decoded values
      decoded++;
    } catch (PgOutputDecodeException e) {
      if (e.offset() < 0 || e.offset() > input.length || e.getMessage() == null) {
        fail(describe(kind, index, input) + ": bad exception offset/message " + e.offset(), e);
      }
      if (e.getCause() != null) {
        // The decoder's safety net caught something its explicit checks missed.
        fail(describe(kind, index, input) + ": undetected malformation reached the safety net", e);
      }
      rejected++;
    } catch (Throwable t) {
      fail(describe(kind, index, input) + ": escaped " + t, t);
    }
    if (buffer.position() != pad || buffer.limit() != pad + input.length) {
      fail(describe(kind, index, input) + ": buffer position/limit changed");
    }
  }

  private String describe(String kind, int index, byte[] input) {
    return "fuzz failure (rerun with -Dslotkeeper.fuzz.seed="
        + seed
        + "), "
        + kind
        + " input #"
        + index
        + ", hex "
        + HexFormat.of().formatHex(input);
  }

  private static byte[] mutate(byte[] in, SplittableRandom random) {
    if (in.length == 0) {
      return new byte[] {(byte) TAGS[random.nextInt(TAGS.length)]};
    }
    byte[] out = in.clone();
    int at = random.nextInt(out.length);
    switch (random.nextInt(9)) {
      case 0: // flip one to three bits
        for (int i = random.nextInt(3); i >= 0; i--) {
          int p = random.nextInt(out.length);
          out[p] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
      case 1: // replace a byte
        out[at] =
            random.nextBoolean()
                ? (byte) INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)]
                : (byte) random.nextInt(256);
        return out;
      case 2: // truncate
        return Arrays.copyOf(out, at);
      case 3:
        { // insert random bytes
          byte[] extra = new byte[1 + random.nextInt(8)];
          random.nextBytes(extra);
          return splice(out, at, 0, extra);
        }
      case 4: // delete a range
        return splice(out, at, Math.min(out.length - at, 1 + random.nextInt(8)), new byte[0]);
      case 5: // overwrite an int32 (lengths, counts, oids) with a boundary value
        return overwrite(out, at, 4, INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)]);
      case 6: // overwrite an int16 (column counts)
        return overwrite(out, at, 2, INTERESTING_INTS[random.nextInt(INTERESTING_INTS.length)]);
      case 7: // overwrite an int64 (LSNs, timestamps) with a boundary value
        long v =
            random.nextBoolean() ? Long.MAX_VALUE : (random.nextBoolean() ? Long.MIN_VALUE : -1L);
        for (int i = 0; i < 8 && at + i < out.length; i++) {
          out[at + i] = (byte) (v >>> (56 - 8 * i));
        }
        return out;
      default:
        { // duplicate a range (repeated columns / strings)
          int len = Math.min(out.length - at, 1 + random.nextInt(12));
          return splice(out, at, 0, Arrays.copyOfRange(out, at, at + len));
        }
    }
  }

  private static byte[] overwrite(byte[] out, int at, int width, int value) {
    for (int i = 0; i < width && at + i < out.length; i++) {
      out[at + i] = (byte) (value >>> (8 * (width - 1 - i)));
    }
    return out;
  }

  private static byte[] splice(byte[] in, int at, int remove, byte[] insert) {
    byte[] out = new byte[in.length - remove + insert.length];
    System.arraycopy(in, 0, out, 0, at);
    System.arraycopy(insert, 0, out, at, insert.length);
    System.arraycopy(in, at + remove, out, at + insert.length, in.length - at - remove);
    return out;
  }
}
