package io.slotkeeper.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What one run of the program talks to: its two output streams, its environment and whether a
 * person is watching stderr. Passed to every command instead of touching System.* so that tests can
 * run the program in-process with captured output.
 */
final class Io {
  final PrintStream out;
  final PrintStream err;
  final Map<String, String> env;

  /** True when stderr is a terminal: progress lines and friendly notices are worth printing. */
  final boolean stderrIsTerminal;

  /** Completed (with the signal's name) when the process is asked to stop: SIGTERM, SIGINT. */
  final CompletableFuture<String> stopRequested = new CompletableFuture<>();

  /**
   * Set by commands that stop cleanly on {@link #stopRequested}; the others just exit on a signal.
   */
  volatile boolean stopHandled;

  /** 0 normal, 1 --verbose, 2 -vv; set before a command runs. */
  volatile int verbosity;

  Io(PrintStream out, PrintStream err, Map<String, String> env, boolean stderrIsTerminal) {
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
    this.stderrIsTerminal = stderrIsTerminal;
  }

  String env(String name) {
    String v = env.get(name);
    return v == null || v.isEmpty() ? null : v;
  }

  /**
   * A notice on stderr, prefixed so it is told apart from the output of other tools in a pipeline.
   */
  void note(String text) {
    synchronized (err) {
      err.println("slotkeeper: " + text);
      err.flush();
    }
  }

  void warn(String text) {
    note("warning: " + text);
  }

  boolean verbose() {
    return verbosity > 0;
  }
}
