package io.slotkeeper.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class ConfigSyntaxTest {

  @Test
  void quotesConfigurationValues() {
    assertThat(EmbeddedBackend.quote("2s")).isEqualTo("'2s'");
    assertThat(EmbeddedBackend.quote("%m [%p] ")).isEqualTo("'%m [%p] '");
    assertThat(EmbeddedBackend.quote("it's")).isEqualTo("'it''s'");
    assertThat(EmbeddedBackend.quote("C:\\x")).isEqualTo("'C:\\\\x'");
  }

  @Test
  void quotesSql() {
    assertThat(PostgresServer.ident("we\"ird")).isEqualTo("\"we\"\"ird\"");
    assertThat(PostgresServer.literal("o'k")).isEqualTo("'o''k'");
  }

  @Test
  void rejectsSettingsTheTestkitOwnsAndBadNames() {
    assertThatThrownBy(() -> PostgresServer.builder().setting("port", "1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PostgresServer.builder().setting("x; DROP", "1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void unpackedFilesAreUsableByOtherAccounts() {
    assertThat(PosixFilePermissions.toString(BinaryCache.fileMode(0700))).isEqualTo("rwxr-xr-x");
    assertThat(PosixFilePermissions.toString(BinaryCache.fileMode(0600))).isEqualTo("rw-r--r--");
    assertThat(PosixFilePermissions.toString(BinaryCache.fileMode(0755))).isEqualTo("rwxr-xr-x");
  }
}
