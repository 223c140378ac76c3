package io.slotkeeper.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where to connect. Flags override the configuration file. The password is deliberately not a flag
 * (it would show in `ps` and shell history): it comes from PGPASSWORD or the file.
 */
final class ConnectionOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "HOCON file with slotkeeper.source { ... } (see application.conf); flags override it.")
  Path config;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "Database to connect to: jdbc:postgresql://HOST:PORT/DB")
  String url;

  @Option(
      names = "--user",
      paramLabel = "ROLE",
      description =
          "Role to connect as (default: the file's user, else PGUSER, else your login name). "
              + "The password comes from PGPASSWORD or the file, never from a flag.")
  String user;
}
