package docs.javadsl;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.TableGroup;
import io.slotkeeper.javadsl.Committer;
import io.slotkeeper.javadsl.GroupedControl;
import io.slotkeeper.javadsl.SlotGroups;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;

/**
 * The README's "One database over several slots" example: the lines between the {@code //
 * #slot-groups} markers are its code block (ReadmeExampleTest checks that they match); SlotGroupsIT
 * runs the same calls against a real server.
 */
final class SlotGroupsUse {
  void store(String group, ChangeEnvelope envelope) {}

  Pair<GroupedControl, CompletionStage<Done>> start(
      ActorSystem<Void> system, SourceSettings settings) {
    // #slot-groups
    List<TableGroup> groups =
        List.of(
            TableGroup.of("orders", "orders_pub", "public.orders", "public.order_items"),
            TableGroup.of("events", "events_pub", "public.events"));
    Pair<GroupedControl, CompletionStage<Done>> run =
        SlotGroups.merged(settings.withCreatePublicationIfMissing(true, List.of()), groups)
            .map(
                change -> {
                  store(change.group(), change.envelope()); // make it durable first
                  return change.envelope().committableOffset(); // moves only its group's slot
                })
            .toMat(Committer.sink(), Keep.both())
            .run(system);
    // #slot-groups
    return run;
  }
}
