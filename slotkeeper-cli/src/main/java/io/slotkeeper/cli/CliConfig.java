package io.slotkeeper.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValue;
import io.slotkeeper.SettingsReader;
import io.slotkeeper.SourceSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The program's configuration: an optional HOCON file shaped like the repository's application.conf
 * ({@code slotkeeper.source { ... }} with the core's keys, {@code slotkeeper.cli { ... }} with the
 * program's), overridden by flags and, for the password, by PGPASSWORD.
 */
final class CliConfig {
  static final String CLI_PATH = "slotkeeper.cli";
  private static final Set<String> CLI_KEYS =
      Set.of("http", "http-token-file", "http-tls-cert", "http-tls-key");

  private final Config root;
  private final String origin;

  private CliConfig(Config root, String origin) {
    this.root = root;
    this.origin = origin;
  }

  static CliConfig load(Path file, Io io) {
    if (file == null) {
      return new CliConfig(ConfigFactory.empty(), "flags");
    }
    Config c =
        readFile(
            file,
            "configuration file",
            "pass the path of an existing file to --config (the repository's application.conf is an example)");
    CliConfig cfg = new CliConfig(c, file.toString());
    cfg.rejectUnknownCliKeys();
    return cfg;
  }

  /**
   * A HOCON file of the program's (its {@code --config}, {@code cluster}'s {@code --sources}),
   * resolved; a usage error naming it as {@code what} when it does not exist ({@code missingFix}
   * says what to pass instead) or cannot be parsed.
   */
  static Config readFile(Path file, String what, String missingFix) {
    if (!Files.isRegularFile(file)) {
      throw CliException.usage(what + " " + file + " does not exist", missingFix);
    }
    try {
      // resolve(): ${?ENV_VAR} substitutions in the file read the process environment.
      return ConfigFactory.parseFile(
              file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false))
          .resolve();
    } catch (ConfigException e) {
      throw CliException.usage(
          "cannot read " + what + " " + file + ": " + Cli.stripDot(Cli.oneLine(e.getMessage())),
          "correct the file's HOCON syntax at the line named");
    }
  }

  /** The whole file, for the actor system (a file may tune Pekko too). */
  Config root() {
    return root;
  }

  Optional<String> cliString(String key) {
    String path = CLI_PATH + "." + key;
    try {
      return root.hasPath(path)
          ? Optional.of(root.getString(path)).filter(s -> !s.isBlank())
          : Optional.empty();
    } catch (ConfigException e) {
      throw CliException.usage(
          "bad " + path + " in " + origin + ": " + Cli.oneLine(e.getMessage()),
          "make it a string, e.g. " + path + " = \"127.0.0.1:8080\"");
    }
  }

  /**
   * Settings with the connection filled in from flags, the file and the environment, and the URL
   * checked. Slot and publications are left to the caller.
   */
  SourceSettings connection(ConnectionOptions opts, Io io) {
    SourceSettings s;
    try {
      s =
          SourceSettings.create(
              root.hasPath(SourceSettings.CONFIG_PATH)
                  ? root.getConfig(SourceSettings.CONFIG_PATH)
                  : ConfigFactory.empty());
    } catch (IllegalArgumentException | ConfigException e) {
      throw new CliException(
          CliException.USAGE, "in " + origin + ": " + Cli.oneLine(e.getMessage()));
    }
    String url = opts.url != null ? opts.url : s.connection().url();
    if (url.isBlank()) {
      throw CliException.usage(
          "no database given",
          "pass --url jdbc:postgresql://HOST:PORT/DATABASE (or set slotkeeper.source.url in a --config file)");
    }
    checkUrl(url);
    String user =
        firstNonBlank(
            opts.user, s.connection().user(), io.env("PGUSER"), System.getProperty("user.name"));
    s = s.withUrl(url).withUser(user == null ? "" : user);
    // PGPASSWORD wins over the file, as flags do; without it the file's password stays.
    return io.env("PGPASSWORD") != null ? s.withPassword(io.env("PGPASSWORD")) : s;
  }

  static void checkUrl(String url) {
    Properties parsed =
        url.startsWith("jdbc:postgresql:")
            ? org.postgresql.Driver.parseURL(url, new Properties())
            : null;
    if (parsed == null || parsed.getProperty("PGDBNAME", "").isEmpty()) {
      throw CliException.usage(
          "malformed database URL '" + redact(url) + "'",
          "use the form jdbc:postgresql://HOST:PORT/DATABASE, e.g. jdbc:postgresql://localhost:5432/app");
    }
  }

  /** "host:port" of a URL, for messages. */
  static String hostPort(String url) {
    Properties p = org.postgresql.Driver.parseURL(url, new Properties());
    if (p == null) {
      return url;
    }
    return p.getProperty("PGHOST", "localhost") + ":" + p.getProperty("PGPORT", "5432");
  }

  static String database(String url) {
    Properties p = org.postgresql.Driver.parseURL(url, new Properties());
    return p == null ? "" : p.getProperty("PGDBNAME", "");
  }

  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  /**
   * Typos in a HOCON file are silently ignored by HOCON itself. Those under slotkeeper.source are
   * refused by {@code SourceSettings.create} (with the closest known key); those of the program's
   * own section here, the same way.
   */
  private void rejectUnknownCliKeys() {
    if (!root.hasPath(CLI_PATH)) {
      return;
    }
    Config cli;
    try {
      cli = root.getConfig(CLI_PATH);
    } catch (ConfigException e) {
      throw CliException.usage(
          CLI_PATH + " in " + origin + " is not an object",
          "write it as " + CLI_PATH + " { http = \"127.0.0.1:8080\" }");
    }
    for (Map.Entry<String, ConfigValue> e : cli.entrySet()) {
      if (!CLI_KEYS.contains(e.getKey())) {
        throw CliException.usage(
            "unknown key " + CLI_PATH + "." + e.getKey() + " in " + origin,
            "did you mean "
                + CLI_PATH
                + "."
                + SettingsReader.closest(e.getKey(), CLI_KEYS)
                + "? (known: "
                + String.join(", ", new TreeSet<>(CLI_KEYS))
                + ")");
      }
    }
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  static List<String> orDefault(List<String> flags, List<String> fromFile) {
    return flags == null || flags.isEmpty() ? fromFile : flags;
  }
}
