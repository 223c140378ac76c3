package io.slotkeeper.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(
    name = "slotkeeper",
    mixinStandardHelpOptions = true,
    versionProvider = SlotkeeperCommand.Version.class,
    usageHelpAutoWidth = true,
    description = {
      "Supervised PostgreSQL logical replication: stream a slot's changes as JSON Lines, and look after"
          + " slots. Physical replication: archive WAL as pg_receivewal does, without ever skipping any.",
      "Start with 'slotkeeper demo': it runs an embedded PostgreSQL and shows the engine surviving"
          + " faults."
    },
    subcommands = {
      StreamCommand.class,
      ClusterCommand.class,
      ArchiveCommand.class,
      DemoCommand.class,
      StatusCommand.class,
      SlotCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Exit codes: 0 success, 1 run-time failure, 2 usage error. Errors are one line naming the fix;"
          + " add --verbose for logs and stack traces."
    })
final class SlotkeeperCommand implements Callable<Integer> {
  private final Io io;

  @Mixin CommonOptions common;
  @Spec CommandLine.Model.CommandSpec spec;

  SlotkeeperCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    io.err.println(
        "slotkeeper: no command given. Fix: run one of "
            + String.join(
                ", ", spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList())
            + " (slotkeeper --help says more)");
    return CliException.USAGE;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SlotkeeperCommand.class.getPackage().getImplementationVersion();
      return new String[] {
        "slotkeeper "
            + (v == null ? "(development build)" : v)
            + ", Java "
            + System.getProperty("java.version")
      };
    }
  }
}
