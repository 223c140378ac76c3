package io.slotkeeper.it;

import static io.slotkeeper.it.Harness.indexOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.ChangeEnvelope.Kind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TcpProxy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 10, item 3: the address the source connects to starts leading to another server (a failover
 * to a server with lower LSNs, a multi-host URL switching hosts, a re-pointed DNS name). Two
 * separate clusters A and B have the same table, publication and slot; B's WAL positions lie far
 * below A's. Without a check, B's new transactions fall below the high-water mark of what A
 * delivered and are skipped as duplicates, and A's confirmed position is reported to B's slot.
 */
class WalHistoryIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension A = PostgresExtension.builder().build();

  @RegisterExtension static final PostgresExtension B = PostgresExtension.builder().build();

  private static Lsn lsn(PostgresServer pg, String sql) {
    return Lsn.parse(pg.queryString(sql));
  }

  private static Lsn slotConfirmed(PostgresServer pg) {
    return lsn(
        pg, "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'hist_slot'");
  }

  @Test
  void anotherServerBehindTheSameAddressIsAnnouncedAndStreamedFromItsOwnSlot() throws Exception {
    PostgresServer a = A.server();
    PostgresServer b = B.server();
    FaultFixtures.create(b, "hist", 1);
    // A's positions well past anything B will reach in this test.
    a.execute("CREATE TABLE filler (pad text)");
    for (int i = 0; i < 4; i++) {
      a.execute("INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 1000)");
      a.execute("SELECT pg_switch_wal()");
    }
    FaultFixtures.create(a, "hist", 1);
    Lsn aStart = slotConfirmed(a);
    assertThat(lsn(b, "SELECT pg_current_wal_lsn()").plus(16 << 20))
        .as("B far behind A")
        .isLessThan(aStart);

    try (TcpProxy proxy = TcpProxy.start(a.host(), a.port())) {
      SourceSettings settings =
          Harness.settings(a, "hist_slot", "hist_pub")
              .withUrl("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/postgres");
      try (Harness h = Harness.start(kit.system(), settings)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        for (int i = 1; i <= 3; i++) {
          a.execute("INSERT INTO hist_t1 (id) VALUES ('a" + i + "')");
        }
        Harness.await(
            "A's rows", Duration.ofSeconds(10), () -> h.consumer.insertedIds().contains("a3"));
        Lsn aEnd = lsn(a, "SELECT pg_current_wal_lsn()");
        Harness.await(
            "A's slot to be confirmed past its rows",
            Duration.ofSeconds(20),
            () -> slotConfirmed(a).isAfter(aStart));

        long reconnects = h.control.progress().reconnects();
        proxy.retarget(b.host(), b.port());
        proxy.cutAll();
        Harness.await(
            "a reconnect",
            Duration.ofSeconds(10),
            () -> h.control.progress().reconnects() > reconnects);
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        for (int i = 1; i <= 3; i++) {
          b.execute("INSERT INTO hist_t1 (id) VALUES ('b" + i + "')");
        }
        // Long enough for status updates (ack flush and keepalive) to reach B.
        Thread.sleep(1500);
        assertThat(slotConfirmed(b))
            .as("B's slot never confirmed to a position of A's")
            .isLessThan(aStart);
        Harness.await(
            "every row written on B",
            Duration.ofSeconds(30),
            () -> h.consumer.insertedIds().containsAll(List.of("b1", "b2", "b3")));
        Thread.sleep(500);

        List<ChangeEnvelope> got = h.consumer.received;
        long resyncs = got.stream().filter(e -> e.kind() == Kind.RESYNC_REQUIRED).count();
        assertThat(resyncs).as("one RESYNC_REQUIRED").isEqualTo(1);
        int resyncAt = indexOf(got, null);
        assertThat(resyncAt).as("after A's rows").isGreaterThan(indexOf(got, "a3"));
        assertThat(resyncAt).as("before B's rows").isLessThan(indexOf(got, "b1"));
        assertThat(got.get(resyncAt).resync())
            .hasValueSatisfying(r -> assertThat(r.reason()).contains("system"));
        assertThat(h.consumer.insertedIds()).containsExactly("a1", "a2", "a3", "b1", "b2", "b3");

        Lsn bConfirmed = slotConfirmed(b);
        assertThat(bConfirmed)
            .as("B's slot never confirmed to a position of A's")
            .isLessThanOrEqualTo(lsn(b, "SELECT pg_current_wal_lsn()"))
            .isLessThan(aStart);
        assertThat(aEnd).isGreaterThan(aStart);
      }
    }
  }
}
