package io.slotkeeper.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process: UTF-8 output whatever the locale, signals that drain instead of kill, an exit code.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // JSON Lines are UTF-8 by definition; the platform's default charset may be ASCII (C locale).
    PrintStream out =
        new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    PrintStream err =
        new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    Cli cli = new Cli(out, err, System.getenv(), stderrIsTerminal());
    installSignalHandlers(cli, err);
    int code = cli.execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /**
   * SIGTERM and SIGINT ask the running command to stop cleanly (drain, acknowledge, exit 0) rather
   * than starting the JVM's shutdown, which would end the process with 143 before the drain. A
   * second signal while draining exits at once.
   */
  private static void installSignalHandlers(Cli cli, PrintStream err) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(
            new sun.misc.Signal(name),
            sig -> {
              if (!cli.stopHandled()) {
                // Nothing to drain (status, slot chores, argument parsing): end as the default
                // would.
                System.exit(128 + sig.getNumber());
              }
              if (cli.stopRequested()) {
                err.println();
                err.println("slotkeeper: second SIG" + name + ": exiting without draining");
                err.flush();
                // exit, not halt: shutdown hooks still remove the demo's embedded server.
                System.exit(128 + sig.getNumber());
              }
              cli.requestStop("SIG" + name);
            });
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // A platform without this signal: the JVM's default handling applies.
      }
    }
  }

  /** Java cannot ask isatty(2); on Linux the descriptor's link says whether it is a terminal. */
  static boolean stderrIsTerminal() {
    String term = System.getenv("TERM");
    if (term == null || term.equals("dumb")) {
      return false;
    }
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (Exception e) {
      return false;
    }
  }
}
