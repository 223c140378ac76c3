package io.slotkeeper.internal.connection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The write bound against a real socket whose peer never reads: no database needed. */
class WriteWatchdogTest {

  @Test
  void aWriteBlockedOnAFullSendBufferIsAbortedAfterTheLimit() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
        Socket neverReads = server.accept()) {
      OutputStream out = client.getOutputStream();
      byte[] chunk = new byte[64 * 1024];
      long start = System.nanoTime();
      assertThatThrownBy(
              () ->
                  WriteWatchdog.guard(
                      Duration.ofMillis(300),
                      () -> closeQuietly(client),
                      () -> {
                        try {
                          while (true) {
                            out.write(
                                chunk); // fills the send buffer and the peer's receive buffer, then
                            // blocks
                          }
                        } catch (IOException e) {
                          throw new SQLException("write failed", e);
                        }
                      }))
          .isInstanceOfSatisfying(
              ClassifiedException.class,
              e -> assertThat(e.errorClass()).isEqualTo(ErrorClass.TRANSIENT))
          .hasMessageContaining("did not complete within 300 ms");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took)
          .isGreaterThanOrEqualTo(Duration.ofMillis(300))
          .isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void aWriteThatReturnsAfterTheWatchdogFiredStillFails() {
    // The abort came too late to break it, but the connection is closed now: say so.
    assertThatThrownBy(() -> WriteWatchdog.guard(Duration.ofMillis(50), () -> {}, () -> sleep(300)))
        .isInstanceOf(ClassifiedException.class);
  }

  @Test
  void aWriteThatCompletesInTimeIsNeverAborted() throws Exception {
    AtomicBoolean aborted = new AtomicBoolean();
    for (int i = 0; i < 200; i++) {
      WriteWatchdog.guard(Duration.ofMillis(50), () -> aborted.set(true), () -> {});
    }
    Thread.sleep(150);
    assertThat(aborted).isFalse();
  }

  @Test
  void anErrorOfTheWriteItselfPassesThrough() {
    SQLException own = new SQLException("own");
    assertThatThrownBy(
            () ->
                WriteWatchdog.guard(
                    Duration.ofSeconds(5),
                    () -> {},
                    () -> {
                      throw own;
                    }))
        .isSameAs(own);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // being aborted
    }
  }
}
