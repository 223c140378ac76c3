package io.slotkeeper.javadsl;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.GroupedChange;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.TableGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One database streamed over several slots: one slot, publication and walsender per {@link
 * TableGroup}, for when one walsender cannot decode the database's change rate (it decodes on one
 * core). Each group is an ordinary {@link ReplicationSource} with its own supervision,
 * acknowledgements and restarts.
 *
 * <p>What a consumer may assume: within a group everything holds as for one source (commit order,
 * whole transactions, at-least-once across restarts, each envelope's offset moving its own slot).
 * Across groups nothing is ordered: a transaction that wrote tables of two groups arrives as two
 * transactions, one per group, each with its own BEGIN and COMMIT (same xid and commit LSN), at
 * different times, and one may be acknowledged (or replayed after a crash) without the other.
 */
public final class SlotGroups {
  private SlotGroups() {}

  /** One source per group, in the order given; run them as you like. */
  public static List<Source<ChangeEnvelope, Control>> perGroup(
      SourceSettings base, List<TableGroup> groups) {
    checkDistinct(groups);
    List<Source<ChangeEnvelope, Control>> sources = new ArrayList<>();
    for (TableGroup g : groups) {
      sources.add(ReplicationSource.create(g.settingsFrom(base)));
    }
    return sources;
  }

  /**
   * The groups' sources merged into one, each element tagged with its group. The merged stream
   * fails when one group's source fails (the others are then cancelled and shut down).
   */
  public static Source<GroupedChange, GroupedControl> merged(
      SourceSettings base, List<TableGroup> groups) {
    List<Source<ChangeEnvelope, Control>> sources = perGroup(base, groups);
    Source<GroupedChange, List<Pair<String, Control>>> merged = null;
    for (int i = 0; i < sources.size(); i++) {
      String name = groups.get(i).name();
      Source<GroupedChange, List<Pair<String, Control>>> tagged =
          sources
              .get(i)
              .map(e -> new GroupedChange(name, e))
              .mapMaterializedValue(c -> List.of(Pair.create(name, c)));
      merged =
          merged == null
              ? tagged
              : merged.mergeMat(
                  tagged,
                  (a, b) -> {
                    List<Pair<String, Control>> both = new ArrayList<>(a);
                    both.addAll(b);
                    return both;
                  });
    }
    return merged.mapMaterializedValue(
        list -> {
          Map<String, Control> controls = new LinkedHashMap<>();
          list.forEach(p -> controls.put(p.first(), p.second()));
          return new GroupedControl(controls);
        });
  }

  private static void checkDistinct(List<TableGroup> groups) {
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("slot groups need at least one table group");
    }
    if (groups.stream().map(TableGroup::name).distinct().count() != groups.size()) {
      throw new IllegalArgumentException(
          "table group names must differ (each names a slot): " + groups);
    }
  }
}
