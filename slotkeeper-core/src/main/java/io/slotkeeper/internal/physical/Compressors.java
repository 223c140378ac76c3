package io.slotkeeper.internal.physical;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.slotkeeper.ArchiveSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FrameOutputStream;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The compressing stream of each method, over a segment file's stream. Each one's {@code flush()}
 * makes what was fed decompressible from the file (gzip: SYNC_FLUSH; LZ4: ends the block; zstd:
 * ZSTD_e_flush), which {@link WalWriter#sync} relies on before its fsync, and {@code close()} ends
 * the format's frame (gzip trailer, LZ4 end mark, zstd frame end) and closes the stream below.
 */
final class Compressors {
  private static final int GZIP_BUFFER = 64 << 10;

  private Compressors() {}

  /**
   * @param level 0 for the method's default (gzip 6, LZ4's fast compressor, zstd 3)
   */
  static OutputStream open(ArchiveSettings.Compression method, int level, OutputStream file)
      throws IOException {
    return switch (method) {
      case GZIP -> gzip(level, file);
      case LZ4 -> lz4(level, file);
      case ZSTD -> zstd(level, file);
      case NONE -> throw new IllegalArgumentException("no compression has no compressing stream");
    };
  }

  private static OutputStream gzip(int level, OutputStream file) throws IOException {
    GZIPOutputStream gzip =
        new GZIPOutputStream(file, GZIP_BUFFER, true) {
          {
            if (level != 0) {
              def.setLevel(level);
            }
          }
        };
    return gzip;
  }

  private static OutputStream lz4(int level, OutputStream file) throws IOException {
    if (level <= 1) {
      return new LZ4FrameOutputStream(file, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB);
    }
    // lz4-java's defaults, with the HC compressor of that level instead of the fast one.
    return new LZ4FrameOutputStream(
        file,
        LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
        -1L,
        LZ4Factory.fastestInstance().highCompressor(level),
        XXHashFactory.fastestInstance().hash32(),
        LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE);
  }

  private static OutputStream zstd(int level, OutputStream file) throws IOException {
    ZstdOutputStreamNoFinalizer zstd =
        new ZstdOutputStreamNoFinalizer(file, level == 0 ? 3 : level);
    // A checksum at the frame's end, as the zstd program writes by default.
    zstd.setChecksum(true);
    return zstd;
  }
}
