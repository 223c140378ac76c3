package io.slotkeeper.cli;

import picocli.CommandLine.Option;

/**
 * Options every command takes. Read by {@link Cli} from the parse result, before the command runs.
 */
final class CommonOptions {
  @Option(
      names = {"-v", "--verbose"},
      description =
          "Log what the engine does (INFO) and print stack traces; twice (-vv) for DEBUG.")
  boolean[] verbose = new boolean[0];
}
