package io.slotkeeper.cli;

import io.slotkeeper.SourceSettings;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The slot a command works on (slot create, slot drop, status): NAME, or --slot NAME, else the
 * configuration file's slot-name; checked before anything connects.
 */
final class SlotNameOptions {
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

  @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Slot name.")
  String name;

  @Option(names = "--slot", paramLabel = "NAME", description = "Slot name (instead of NAME).")
  String slot;

  /** The slot name given, or {@code fromFile}'s; a usage error when there is none or it is bad. */
  String resolve(SourceSettings fromFile) {
    String n = name != null ? name : slot != null ? slot : fromFile.slot().name();
    if (n == null || n.isEmpty()) {
      throw CliException.usage(
          "no slot name given", "name it: slotkeeper slot create NAME (or --slot NAME)");
    }
    if (!SLOT_NAME.matcher(n).matches()) {
      throw CliException.usage(
          "'" + n + "' is not a valid slot name",
          "use 1 to 63 lower-case letters, digits or underscores");
    }
    return n;
  }
}
