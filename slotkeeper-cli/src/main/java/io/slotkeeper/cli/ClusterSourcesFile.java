package io.slotkeeper.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.slotkeeper.SourceSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code --sources} file of {@code slotkeeper cluster}: the set of sources the cluster runs, as
 * HOCON,
 *
 * <pre>
 * sources {
 *   orders  { url = "jdbc:postgresql://db1:5432/shop", slot-name = orders, publications = [orders] }
 *   billing { url = "jdbc:postgresql://db2:5432/bill", slot-name = billing, publications = [bill] }
 * }
 * </pre>
 *
 * Each entry is a section shaped like {@code slotkeeper.source}, holding what differs per source;
 * the node's own {@code slotkeeper.source} (from {@code --config}, {@code --user}, PGPASSWORD)
 * fills in the rest. Entries go into the cluster's registry, which is replicated to every node and
 * kept on disk, so an entry may not hold a password: it belongs in PGPASSWORD or the node's file.
 */
final class ClusterSourcesFile {
  static final String ROOT = "sources";

  private ClusterSourcesFile() {}

  /** The entries by id, in id order; a usage error naming the entry and the fix otherwise. */
  static Map<String, Config> load(Path file, Config nodeSource) {
    if (file == null) {
      throw CliException.usage(
          "no sources given",
          "pass --sources FILE, a HOCON file with sources { ID { url = ..., slot-name = ...,"
              + " publications = [...] } }");
    }
    Config c =
        CliConfig.readFile(file, "sources file", "pass the path of an existing file to --sources");
    return parse(c, file.toString(), nodeSource);
  }

  static Map<String, Config> parse(Config c, String origin, Config nodeSource) {
    if (!c.hasPath(ROOT) || c.getValue(ROOT).valueType() != ConfigValueType.OBJECT) {
      throw CliException.usage(
          origin + " has no " + ROOT + " { ... } section",
          "write each source as "
              + ROOT
              + " { ID { url = ..., slot-name = ..., publications = [...] } }");
    }
    Map<String, Config> out = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : c.getObject(ROOT).entrySet()) {
      String id = e.getKey();
      if (!id.matches("[A-Za-z0-9_.-]{1,100}")) {
        throw CliException.usage(
            "source id '" + id + "' in " + origin + " is not usable",
            "use 1 to 100 letters, digits, '.', '-' and '_'");
      }
      if (e.getValue().valueType() != ConfigValueType.OBJECT) {
        throw CliException.usage(
            "source " + id + " in " + origin + " is not a section",
            "write it as " + id + " { url = ..., slot-name = ..., publications = [...] }");
      }
      Config entry = c.getConfig(ROOT + ".\"" + id + "\"");
      if (entry.hasPath("password")) {
        // The registry is replicated and stored on disk: no secret goes there.
        throw CliException.usage(
            "source " + id + " in " + origin + " names a password",
            "remove it; give the password in PGPASSWORD or slotkeeper.source.password of --config"
                + " (one for every source: the sources' entries are replicated to every node and"
                + " kept on disk)");
      }
      try {
        SourceSettings.create(entry.withFallback(nodeSource)).validate();
      } catch (IllegalArgumentException | ConfigException ex) {
        throw new CliException(
            CliException.USAGE,
            "source " + id + " in " + origin + ": " + Cli.oneLine(ex.getMessage()));
      }
      out.put(id, entry);
    }
    if (out.isEmpty()) {
      throw CliException.usage(
          origin + " lists no sources", "add at least one entry to " + ROOT + " { ... }");
    }
    return out;
  }
}
