package io.slotkeeper.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.GroupedChange;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.TableGroup;
import io.slotkeeper.javadsl.GroupedControl;
import io.slotkeeper.javadsl.SlotGroups;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.PostgresExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17, one database over several slots: two table groups, each its own publication, slot and
 * walsender, merged into one stream. Per table every row arrives once and in order; a transaction
 * writing both groups arrives as one transaction per group; one group's walsender killed leaves the
 * other streaming; each group's acknowledgements move only its own slot.
 */
class SlotGroupsIT extends ActorSystemPerClass {
  @RegisterExtension static final PostgresExtension PG = PostgresExtension.builder().build();

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void twoGroupsStreamInTheirOwnSlotsAndSplitATransactionThatWritesBoth() throws Exception {
    PostgresServer pg = PG.server();
    pg.execute("CREATE TABLE grp_orders (id int PRIMARY KEY)");
    pg.execute("CREATE TABLE grp_events (id int PRIMARY KEY)");
    SourceSettings base =
        Harness.settings(pg, "grp")
            .withCreateSlotIfMissing(true)
            .withCreatePublicationIfMissing(true, List.of());
    List<TableGroup> groups =
        List.of(
            TableGroup.of("orders", "grp_orders_pub", "public.grp_orders"),
            TableGroup.of("events", "grp_events_pub", "public.grp_events"));
    List<GroupedChange> got = new AppendOnlyList<>();
    Pair<GroupedControl, CompletionStage<Done>> run =
        SlotGroups.merged(base, groups)
            .toMat(
                Sink.foreach(
                    (GroupedChange g) -> {
                      got.add(g);
                      g.envelope().committableOffset().commit();
                    }),
                Keep.both())
            .run(kit.system());
    GroupedControl control = run.first();
    control.waitUntil(StatusLevel.ACTIVE, WAIT).toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertThat(control.controls().keySet()).containsExactly("orders", "events");

    for (int i = 1; i <= 50; i++) {
      pg.execute("INSERT INTO grp_orders VALUES (" + i + ")");
      pg.execute("INSERT INTO grp_events VALUES (" + i + ")");
    }
    // One transaction writing both groups.
    pg.execute(
        "BEGIN; INSERT INTO grp_orders VALUES (1000); INSERT INTO grp_events VALUES (1000);"
            + " COMMIT");
    pg.terminateWalsender("grp_events");
    for (int i = 51; i <= 100; i++) {
      pg.execute("INSERT INTO grp_orders VALUES (" + i + ")");
      pg.execute("INSERT INTO grp_events VALUES (" + i + ")");
    }
    Harness.await(
        "every row of both tables",
        WAIT,
        () -> ids(got, "grp_orders").size() >= 101 && ids(got, "grp_events").size() >= 101);
    List<Integer> expected = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      expected.add(i);
    }
    expected.add(1000);
    for (int i = 51; i <= 100; i++) {
      expected.add(i);
    }
    assertThat(ids(got, "grp_orders")).as("in order, once each").isEqualTo(expected);
    assertThat(ids(got, "grp_events")).as("in order, once each").isEqualTo(expected);
    assertThat(control.controls().get("events").progress().reconnects()).isGreaterThanOrEqualTo(1);
    assertThat(control.controls().get("orders").progress().reconnects()).isZero();

    // The transaction that wrote both: one BEGIN..COMMIT per group, with the same xid.
    List<GroupedChange> both = List.copyOf(got);
    long xid =
        both.stream()
            .filter(g -> rowId(g.envelope()) == 1000)
            .findFirst()
            .orElseThrow()
            .envelope()
            .xid();
    Map<String, List<ChangeEnvelope.Kind>> split =
        both.stream()
            .filter(g -> g.envelope().xid() == xid)
            .collect(
                Collectors.groupingBy(
                    GroupedChange::group,
                    Collectors.mapping(g -> g.envelope().kind(), Collectors.toList())));
    assertThat(split)
        .containsOnlyKeys("orders", "events")
        .allSatisfy(
            (group, kinds) ->
                assertThat(kinds)
                    .containsExactly(
                        ChangeEnvelope.Kind.BEGIN,
                        ChangeEnvelope.Kind.INSERT,
                        ChangeEnvelope.Kind.COMMIT));

    // Each slot stands at its own group's last acknowledged commit.
    for (String group : List.of("orders", "events")) {
      Lsn lastCommit =
          both.stream()
              .filter(g -> g.group().equals(group) && g.envelope().isCommit())
              .reduce((a, b) -> b)
              .orElseThrow()
              .envelope()
              .committableOffset()
              .lsn();
      Harness.await(
          "slot grp_" + group + " at its last commit",
          WAIT,
          () -> SlotQueries.confirmedFlush(pg, "grp_" + group).compareTo(lastCommit) >= 0);
    }
    control.drainAndShutdown(run.second()).toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static int rowId(ChangeEnvelope e) {
    return e.message() instanceof Insert i ? Integer.parseInt(i.newTuple().get(0).text()) : -1;
  }

  private static List<Integer> ids(List<GroupedChange> got, String table) {
    List<Integer> ids = new ArrayList<>();
    for (GroupedChange g : List.copyOf(got)) {
      if (g.envelope().message() instanceof Insert i && i.relation().name().equals(table)) {
        ids.add(Integer.parseInt(i.newTuple().get(0).text()));
      }
    }
    return ids;
  }
}
