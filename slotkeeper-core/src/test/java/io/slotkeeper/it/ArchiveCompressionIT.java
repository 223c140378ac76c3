package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.slotkeeper.ArchiveSettings.Compression;
import io.slotkeeper.Lsn;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.WalArchiver;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 14: compressed archives, named as pg_receivewal 15+ names them ({@code NAME.gz}, {@code
 * NAME.lz4}, and {@code .gz.partial}/{@code .lz4.partial} while written; zstd, which pg_receivewal
 * refuses, as {@code NAME.zst}/{@code .zst.partial}). Complete segments decompress to the server's
 * own pg_wal files; the partial one decompresses, at any moment, to at least everything the
 * archiver reported flushed (fsynced and decompressible); a restart rewrites the compressed partial
 * from its start (a compressed stream cannot be continued) and completes it.
 */
class ArchiveCompressionIT extends ArchiveFixtures {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder()
          .version(17)
          .walSegmentSizeMb(1)
          .setting("wal_keep_size", "256MB")
          .build();

  @Override
  PostgresServer pg() {
    return PG.server();
  }

  private static InputStream decompressing(Compression c, InputStream in) throws IOException {
    return switch (c) {
      case GZIP -> new GZIPInputStream(in);
      case LZ4 -> new LZ4FrameInputStream(in);
      case ZSTD -> new ZstdInputStreamNoFinalizer(in);
      case NONE -> in;
    };
  }

  /**
   * What a compressed file decompresses to. A partial one has no end yet: reading stops with an
   * error where its last flushed block ends (gzip: EOFException; lz4-java: "Stream ended
   * prematurely"; zstd-jni: "Truncated source"), and what came before is what counts.
   */
  private static byte[] decompress(Compression c, Path file) throws IOException {
    boolean partial = file.getFileName().toString().endsWith(".partial");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = decompressing(c, Files.newInputStream(file))) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
    } catch (IOException truncated) {
      if (!partial) {
        throw truncated;
      }
    }
    return out.toByteArray();
  }

  private static List<String> files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(suffix))
          .sorted()
          .toList();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Compression.class,
      names = {"GZIP", "LZ4", "ZSTD"})
  void compressedSegmentsDecompressToTheServersOwnBytes(Compression c) throws Exception {
    String slot = "arch_" + c.name().toLowerCase();
    Path dir = temp.resolve(slot);
    Path pgWal = Path.of(pg().queryString("SHOW data_directory")).resolve("pg_wal");
    ArchiveControl control =
        WalArchiver.start(
            kit.system(), settings(slot, dir).withCreateSlot(true).withCompression(c));
    awaitLevel(control, StatusLevel.ACTIVE);
    writeAndSwitch();
    writeAndSwitch();
    Lsn mid = writeSome();
    awaitFlushed(control, mid);

    // The partial one: everything reported flushed is in it, decompressible, while it is written.
    Lsn flushed = control.progress().flushedLsn();
    List<String> partials = files(dir, c.suffix() + ".partial");
    assertThat(partials).hasSize(1);
    String partialName = partials.get(0);
    String segment = partialName.substring(0, 24);
    long offset = flushed.value() & ((1 << 20) - 1);
    assertThat(segmentNumber(segment)).isEqualTo(flushed.value() >>> 20);
    byte[] sofar = decompress(c, dir.resolve(partialName));
    assertThat(sofar.length)
        .as("decompressible bytes of %s", partialName)
        .isGreaterThanOrEqualTo((int) offset);
    assertThat(Arrays.copyOf(sofar, (int) offset))
        .isEqualTo(Arrays.copyOf(Files.readAllBytes(pgWal.resolve(segment)), (int) offset));
    shutdown(control);

    // A restart begins the compressed partial again and completes it.
    ArchiveControl again = WalArchiver.start(kit.system(), settings(slot, dir).withCompression(c));
    awaitLevel(again, StatusLevel.ACTIVE);
    assertThat(again.progress().start()).contains(partialName);
    Lsn end = writeAndSwitch();
    awaitFlushed(again, end);
    shutdown(again);

    List<String> complete = files(dir, c.suffix());
    assertThat(complete).contains(segment + c.suffix()).hasSizeGreaterThanOrEqualTo(4);
    assertContiguous(complete);
    for (String name : complete) {
      String server = name.substring(0, 24);
      assertThat(decompress(c, dir.resolve(name)))
          .as("%s decompressed equals the server's %s", name, server)
          .isEqualTo(Files.readAllBytes(pgWal.resolve(server)));
    }
    assertThat(completeSegments(dir)).as("no plain segment beside the compressed").isEmpty();
  }
}
