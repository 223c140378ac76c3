package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TcpProxy;
import io.slotkeeper.testkit.WriteLoad;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 3, test 4: the network path between source and server is cut, then black-holed. A
 * black-holed path raises no error at all; the source must notice the silence itself.
 */
class NetworkFaultIT extends ActorSystemPerClass {
  @RegisterExtension
  static final PostgresExtension PG =
      PostgresExtension.builder().setting("wal_sender_timeout", "3s").build();

  @Test
  void cutAndBlackHoledPathsAreDetectedAndHealed() throws Exception {
    PostgresServer pg = PG.server();
    List<String> tables = FaultFixtures.create(pg, "net", 2);
    try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
      SourceSettings settings =
          Harness.settings(pg, "net_slot", "net_pub")
              .withUrl("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/postgres")
              .withConnectTimeout(Duration.ofSeconds(2));
      try (Harness h = Harness.start(kit.system(), settings);
          WriteLoad load = WriteLoad.start(pg, tables, 5, 10)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));

        Thread.sleep(2000);
        long reconnects = h.control.progress().reconnects();
        proxy.cutAll();
        Harness.await(
            "the cut to be noticed",
            Duration.ofSeconds(10),
            () -> h.control.progress().reconnects() > reconnects);
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));

        Thread.sleep(2000);
        long beforeHole = h.control.progress().reconnects();
        proxy.blackhole(true);
        long holeStart = System.nanoTime();
        Harness.await(
            "the black hole to be noticed",
            Duration.ofSeconds(15),
            () -> h.control.progress().reconnects() > beforeHole);
        Duration detection = Duration.ofNanos(System.nanoTime() - holeStart);
        Thread.sleep(4000);
        assertThat(h.control.status().level()).isNotEqualTo(StatusLevel.ACTIVE);
        proxy.blackhole(false);
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        System.out.println("black hole detected after " + detection.toMillis() + " ms");

        Thread.sleep(2000);
        load.close();
        h.awaitAllDelivered(load, Duration.ofSeconds(60));
        Checks.exactlyOnce(h.consumer.insertedIds(), load);
      }
    }
  }
}
