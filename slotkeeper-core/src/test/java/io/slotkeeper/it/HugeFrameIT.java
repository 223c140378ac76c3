package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18, hostile input: a CopyData frame whose length was corrupted on the path to nearly 2 GiB.
 * pgjdbc allocates a buffer of the announced size before reading it, so in a heap smaller than that
 * the read ends in OutOfMemoryError; left to Pekko, a fatal error stops the JVM. The consumer runs
 * in a JVM of its own with a 256 MB heap ({@link HugeFrameMain}); the engine must treat the frame
 * as broken bytes: drop the connection, receive the message again from the slot, lose and garble
 * nothing, and keep the process.
 */
class HugeFrameIT {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  /**
   * Insert's type byte is 19 bytes before the marker value (see {@link CorruptStreamIT}); before it
   * come XLogData's 25 header bytes and the CopyData length, whose most significant byte is 4 bytes
   * before the XLogData header.
   */
  private static final int LENGTH_HIGH_BYTE = -19 - 25 - 4;

  @Test
  void aFrameAnnouncingMoreThanTheHeapIsReceivedAgainAndTheProcessLives() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE huge (id int PRIMARY KEY, v text)");
    pg.execute("CREATE PUBLICATION huge_pub FOR TABLE huge");
    String marker = "CORRUPT-HUGE-71c0";
    try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
      proxy.corruptDownstream(
          marker.getBytes(StandardCharsets.US_ASCII), LENGTH_HIGH_BYTE, (byte) 0x7f, 1);
      try (ChildJvm child =
          ChildJvm.start(
              List.of("-Xmx256m"),
              HugeFrameMain.class,
              "jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/postgres",
              pg.superuser(),
              pg.superuserPassword(),
              "huge_slot",
              "huge_pub",
              "9")) {
        Process p = child.process;
        Harness.await(
            "the consumer to be active",
            Duration.ofSeconds(60),
            () -> !p.isAlive() || child.output().contains("active"));
        for (int i = 1; i <= 9; i++) {
          String v = i == 6 ? marker : "v" + i;
          pg.execute("INSERT INTO huge VALUES (" + i + ", '" + v + "')");
        }
        boolean ended = p.waitFor(3, TimeUnit.MINUTES);
        String log = child.output();
        String tail = child.tail(6000);
        assertThat(ended).as("the consumer JVM ended; its output:%n%s", tail).isTrue();
        assertThat(p.exitValue()).as("exit code; output:%n%s", tail).isZero();
        assertThat(proxy.corruptionsDone()).isEqualTo(1);
        assertThat(log)
            .contains(
                "rows: 1=v1,2=v2,3=v3,4=v4,5=v5,6=" + marker + ",7=v7,8=v8,9=v9 reconnects: ");
        assertThat(log).doesNotContain("reconnects: 0\n");
      }
    }
  }
}
