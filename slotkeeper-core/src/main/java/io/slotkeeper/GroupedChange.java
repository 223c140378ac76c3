package io.slotkeeper;

import java.util.Objects;

/**
 * An element of a merged multi-slot source ({@link io.slotkeeper.javadsl.SlotGroups#merged}): the
 * envelope and the group whose slot it came from. Acknowledge it with the envelope's own offset; it
 * moves only that group's slot.
 */
public record GroupedChange(String group, ChangeEnvelope envelope) {
  public GroupedChange {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(envelope, "envelope");
  }
}
