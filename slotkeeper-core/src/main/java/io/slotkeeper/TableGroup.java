package io.slotkeeper;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One group of tables of a database streamed over several slots ({@link
 * io.slotkeeper.javadsl.SlotGroups}): its own publication, its own slot (the source's slot name
 * with {@code _name} appended), its own walsender. A table belongs to one group; order is kept per
 * group, not across groups.
 *
 * @param name lower-case letters, digits and underscores; it becomes part of the slot's name
 * @param publication the group's publication
 * @param tables the publication's tables, for {@code publication.create-if-missing} (empty: the
 *     publication must exist)
 */
public record TableGroup(String name, String publication, List<String> tables) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,30}");

  /** A slot name's longest (NAMEDATALEN - 1). */
  private static final int MAX_SLOT_NAME = 63;

  public TableGroup {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(publication, "publication");
    tables = List.copyOf(tables);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "table group name '"
              + name
              + "' must be 1 to 30 lower-case letters, digits or underscores (it becomes part of"
              + " the slot's name)");
    }
  }

  /** A group {@code name} whose publication is {@code publication}, holding {@code tables}. */
  public static TableGroup of(String name, String publication, String... tables) {
    return new TableGroup(name, publication, List.of(tables));
  }

  /**
   * The settings of this group's source: its slot and its publication, the rest as {@code base}.
   */
  public SourceSettings settingsFrom(SourceSettings base) {
    String slot = base.slot().name() + "_" + name;
    if (slot.length() > MAX_SLOT_NAME) {
      // Caught here, where both parts are known: the source would only say the joined name is
      // invalid, naming neither part.
      throw new IllegalArgumentException(
          "table group '"
              + name
              + "' would use slot '"
              + slot
              + "' ("
              + slot.length()
              + " characters; PostgreSQL allows "
              + MAX_SLOT_NAME
              + "). Fix: shorten slot-name '"
              + base.slot().name()
              + "' or the group's name so that together, with the '_' between, they have at most "
              + MAX_SLOT_NAME
              + " characters");
    }
    SourceSettings s = base.withSlotName(slot).withPublications(publication);
    return tables.isEmpty() ? s : s.withPublication(s.publication().withTables(tables));
  }
}
