package io.slotkeeper.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class StartFailureIT {

  private static long serverDirs() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().matches("slotkeeper-pg\\d+-.*")).count();
    }
  }

  @Test
  void aBadSettingFailsWithTheServersReasonAndLeavesNothingBehind() throws IOException {
    long before = serverDirs();
    assertThatThrownBy(() -> PostgresServer.builder().setting("shared_buffers", "lots").start())
        .isInstanceOf(PostgresServerException.class)
        .hasMessageContaining("did not start")
        .hasMessageContaining("shared_buffers");
    assertThat(serverDirs()).isEqualTo(before);
  }

  @Test
  void anUnknownVersionNamesTheAvailableOnes() {
    assertThatThrownBy(
            () -> PostgresServer.builder().version(12).mode(PostgresServer.Mode.EMBEDDED).start())
        .isInstanceOf(PostgresServerException.class)
        .hasMessageContaining("13, 14, 15, 16, 17, 18");
  }
}
