package io.slotkeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.ArchiveSettings.Compression;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code --compress=METHOD[:DETAIL]} as pg_receivewal reads it: a method, and a level either as a
 * bare integer or as {@code level=N}; the file suffix as PostgreSQL names each method.
 */
class ArchiveSettingsCompressionTest {
  private static final ArchiveSettings BASE =
      ArchiveSettings.create(
          SourceSettings.create(com.typesafe.config.ConfigFactory.empty()), Path.of("/tmp/x"));

  @Test
  void zstdWithoutALevelUsesZstdsDefault() {
    ArchiveSettings s = BASE.withCompression("zstd");
    assertThat(s.compression()).isEqualTo(Compression.ZSTD);
    assertThat(s.compressionLevel()).isZero();
    assertThat(Compression.ZSTD.suffix()).isEqualTo(".zst");
  }

  @Test
  void aLevelIsABareIntegerOrLevelEquals() {
    assertThat(BASE.withCompression("zstd:5").compressionLevel()).isEqualTo(5);
    assertThat(BASE.withCompression("ZSTD:level=19").compressionLevel()).isEqualTo(19);
    assertThat(BASE.withCompression("gzip:9").compression()).isEqualTo(Compression.GZIP);
    assertThat(BASE.withCompression("lz4:3").compressionLevel()).isEqualTo(3);
    assertThat(BASE.withCompression("none").compression()).isEqualTo(Compression.NONE);
  }

  @Test
  void aLevelOutsideTheMethodsRangeOrOnNoneIsRefused() {
    assertThatThrownBy(() -> BASE.withCompression("zstd:23"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 22");
    assertThatThrownBy(() -> BASE.withCompression("gzip:10"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 9");
    assertThatThrownBy(() -> BASE.withCompression("none:1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BASE.withCompression("zstd:fast"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BASE.withCompression("brotli"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zstd");
  }
}
