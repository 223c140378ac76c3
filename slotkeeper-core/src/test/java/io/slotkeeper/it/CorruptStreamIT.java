package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.FailureKind;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import io.slotkeeper.testkit.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18, hostile input: bytes corrupted between server and client ({@link
 * TcpProxy#corruptDownstream}) so that one chosen Insert arrives with a broken message type. The
 * engine must never deliver a garbled change: it drops the connection and receives the message
 * again from the slot; a corruption that comes back every time ends FAILED naming the LSN, after a
 * bounded number of attempts, with nothing at or after the bad message confirmed.
 *
 * <p>The target: pgoutput's Insert is {@code 'I', relid(4), 'N', ncols(2)} and per column {@code
 * 't', len(4), bytes}. With an {@code int} key of one digit before the marker value, the type byte
 * {@code 'I'} is 19 bytes before the marker.
 */
class CorruptStreamIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final int TYPE_BYTE_BEFORE_MARKER = -19;
  private static final Pattern AT_LSN = Pattern.compile("at LSN ([0-9A-F]+/[0-9A-F]+)");

  @Test
  void aMessageCorruptedOnceOnThePathIsReceivedAgainAndNothingIsLostOrGarbled() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE once (id int PRIMARY KEY, v text)");
    pg.execute("CREATE PUBLICATION once_pub FOR TABLE once");
    try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
      SourceSettings settings = viaProxy(pg, proxy, "once_slot", "once_pub");
      try (Harness h = Harness.start(kit.system(), settings)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        insert(pg, "once", 1, 5);
        Harness.await("rows 1-5", Duration.ofSeconds(30), () -> ids(h, "once").size() >= 5);

        String marker = "CORRUPT-ONCE-5d1c";
        proxy.corruptDownstream(
            marker.getBytes(StandardCharsets.US_ASCII), TYPE_BYTE_BEFORE_MARKER, (byte) 'Z', 1);
        long reconnects = h.control.progress().reconnects();
        pg.execute("INSERT INTO once VALUES (6, '" + marker + "')");
        Harness.await("the corruption", Duration.ofSeconds(30), () -> proxy.corruptionsDone() == 1);
        insert(pg, "once", 7, 9);

        Harness.await("rows 1-9", Duration.ofSeconds(60), () -> ids(h, "once").size() >= 9);
        assertThat(h.control.progress().reconnects()).isGreaterThan(reconnects);
        assertThat(ids(h, "once")).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(values(h, "once")).contains(marker);
        assertThat(h.control.status().level()).isEqualTo(StatusLevel.ACTIVE);
      }
    }
  }

  @Test
  void theSameCorruptionEveryTimeEndsFailedNamingItsLsnAndNothingAfterItIsConfirmed()
      throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE always (id int PRIMARY KEY, v text)");
    pg.execute("CREATE PUBLICATION always_pub FOR TABLE always");
    try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
      SourceSettings settings = viaProxy(pg, proxy, "always_slot", "always_pub");
      try (Harness h = Harness.start(kit.system(), settings)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        insert(pg, "always", 1, 3);
        Harness.await("rows 1-3", Duration.ofSeconds(30), () -> ids(h, "always").size() >= 3);
        Harness.await(
            "rows 1-3 confirmed",
            Duration.ofSeconds(30),
            () -> h.control.progress().unacknowledgedUnits() == 0);

        String marker = "CORRUPT-ALWAYS-a7e2";
        proxy.corruptDownstream(
            marker.getBytes(StandardCharsets.US_ASCII),
            TYPE_BYTE_BEFORE_MARKER,
            (byte) 'Z',
            Integer.MAX_VALUE);
        Lsn beforeBad = Lsn.parse(pg.queryString("SELECT pg_current_wal_lsn()::text"));
        pg.execute("INSERT INTO always VALUES (4, '" + marker + "')");
        Lsn afterBad = Lsn.parse(pg.queryString("SELECT pg_current_wal_lsn()::text"));
        insert(pg, "always", 5, 6);

        SourceStatus failed = h.awaitLevel(StatusLevel.FAILED, Duration.ofSeconds(60));
        SourceFailedException e = failed.error().orElseThrow();
        assertThat(e.kind()).isEqualTo(FailureKind.INVALID_STREAM);
        assertThat(e.problem()).contains("3 times in a row");
        Matcher at = AT_LSN.matcher(e.problem());
        assertThat(at.find()).as(e.problem()).isTrue();
        Lsn bad = Lsn.parse(at.group(1));
        // The position named is the start of the broken Insert's own record.
        assertThat(bad).isGreaterThanOrEqualTo(beforeBad).isLessThan(afterBad);
        assertThat(proxy.corruptionsDone()).isEqualTo(3);

        // Nothing of the bad transaction or after it reached the consumer, or the slot.
        assertThat(ids(h, "always")).containsExactly("1", "2", "3");
        Lsn confirmed = SlotQueries.confirmedFlush(pg, "always_slot");
        assertThat(confirmed).isLessThanOrEqualTo(bad);
      }
    }
  }

  /**
   * The CopyData frame around the Insert: {@code 'd', len(4)}, then XLogData {@code 'w',
   * walStart(8), walEnd(8), sendTime(8)}, then the Insert's type byte. So the length's least
   * significant byte is 25 + 1 bytes before the type byte. (A length corrupted to huge is {@link
   * HugeFrameIT}: it needs a JVM with a small heap of its own.)
   */
  private static final int LENGTH_LOW_BYTE = TYPE_BYTE_BEFORE_MARKER - 25 - 1;

  /** A frame announcing fewer bytes than it has: the message is cut short, the rest misread. */
  @Test
  void aCopyDataLengthCorruptedToShortIsSurvivedAndNothingIsLostOrGarbled() throws Exception {
    lengthCorruptedOnce("short", LENGTH_LOW_BYTE, (byte) 0x10);
  }

  private static void lengthCorruptedOnce(String table, int delta, byte replacement)
      throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text)");
    pg.execute("CREATE PUBLICATION " + table + "_pub FOR TABLE " + table);
    try (TcpProxy proxy = TcpProxy.start(pg.host(), pg.port())) {
      SourceSettings settings = viaProxy(pg, proxy, table + "_slot", table + "_pub");
      try (Harness h = Harness.start(kit.system(), settings)) {
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
        insert(pg, table, 1, 5);
        Harness.await("rows 1-5", Duration.ofSeconds(30), () -> ids(h, table).size() >= 5);

        String marker = "CORRUPT-LEN-" + table + "-3b9f";
        proxy.corruptDownstream(marker.getBytes(StandardCharsets.US_ASCII), delta, replacement, 1);
        long reconnects = h.control.progress().reconnects();
        pg.execute("INSERT INTO " + table + " VALUES (6, '" + marker + "')");
        Harness.await("the corruption", Duration.ofSeconds(30), () -> proxy.corruptionsDone() == 1);
        insert(pg, table, 7, 9);

        Harness.await("rows 1-9", Duration.ofSeconds(60), () -> ids(h, table).size() >= 9);
        assertThat(h.control.progress().reconnects()).isGreaterThan(reconnects);
        assertThat(ids(h, table)).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(values(h, table))
            .containsExactly("v1", "v2", "v3", "v4", "v5", marker, "v7", "v8", "v9");
        h.awaitLevel(StatusLevel.ACTIVE, Duration.ofSeconds(30));
      }
    }
  }

  private static SourceSettings viaProxy(
      PostgresServer pg, TcpProxy proxy, String slot, String pub) {
    SourceSettings s =
        Harness.settings(pg, slot, pub)
            .withUrl("jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/postgres")
            .withCreateSlotIfMissing(true);
    // The byte offsets above are those of text-format values.
    return s.withStream(s.stream().withBinary(StreamSettings.Binary.OFF));
  }

  private static void insert(PostgresServer pg, String table, int from, int to) {
    for (int i = from; i <= to; i++) {
      pg.execute("INSERT INTO " + table + " VALUES (" + i + ", 'v" + i + "')");
    }
  }

  private static List<String> ids(Harness h, String table) {
    return h.consumer.insertedIds(table);
  }

  private static List<String> values(Harness h, String table) {
    List<String> v = new ArrayList<>();
    for (ChangeEnvelope e : h.consumer.received) {
      if (e.message() instanceof Insert i && i.relation().name().equals(table)) {
        v.add(i.newTuple().get(1).text());
      }
    }
    return v;
  }
}
