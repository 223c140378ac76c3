package io.slotkeeper.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The program without the process around it: parses the command line, runs one command and returns
 * its exit code. {@link Main} adds signals and System.exit; tests call {@link #run} directly.
 *
 * <p>Exit codes: 0 success, 1 a run-time failure (database, network, output), 2 a usage error
 * (unknown flag, malformed value, bad configuration file). Every failure is one line on stderr that
 * names the fix; stack traces only with --verbose.
 */
public final class Cli {
  private final Io io;

  public Cli(PrintStream out, PrintStream err, Map<String, String> env, boolean stderrIsTerminal) {
    this.io = new Io(out, err, env, stderrIsTerminal);
  }

  /** Runs the program in-process: for tests and embedding. */
  public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
    return new Cli(out, err, env, false).execute(args);
  }

  /**
   * Asks a running command to stop as SIGTERM would: a streaming command drains, acknowledges what
   * it wrote and returns 0. Safe to call from any thread, at any time.
   */
  public void requestStop(String why) {
    io.stopRequested.complete(why);
  }

  public boolean stopRequested() {
    return io.stopRequested.isDone();
  }

  /** True while a command runs that drains on {@link #requestStop}; others may simply be ended. */
  public boolean stopHandled() {
    return io.stopHandled;
  }

  public int execute(String[] args) {
    CommandLine cmd = commandLine(io);
    int code = cmd.execute(args);
    io.out.flush();
    io.err.flush();
    return code;
  }

  static CommandLine commandLine(Io io) {
    IFactory factory =
        new IFactory() {
          @Override
          public <K> K create(Class<K> cls) throws Exception {
            try {
              return cls.getDeclaredConstructor(Io.class).newInstance(io);
            } catch (NoSuchMethodException e) {
              return CommandLine.defaultFactory().create(cls);
            }
          }
        };
    CommandLine cmd = new CommandLine(new SlotkeeperCommand(io), factory);
    cmd.setOut(new PrintWriter(io.out, true));
    cmd.setErr(new PrintWriter(io.err, true));
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.registerConverter(io.slotkeeper.Lsn.class, Converters::lsn);
    cmd.setParameterExceptionHandler(parameterErrors(io));
    cmd.setExecutionExceptionHandler(executionErrors(io));
    cmd.setExecutionStrategy(
        pr -> {
          io.verbosity = verbosity(pr);
          Logging.configure(io.verbosity);
          return new CommandLine.RunLast().execute(pr);
        });
    return cmd;
  }

  private static int verbosity(ParseResult pr) {
    int v = 0;
    for (ParseResult p = pr; p != null; p = p.subcommand()) {
      OptionSpec o = p.matchedOption("--verbose");
      if (o != null && o.getValue() instanceof boolean[] flags) {
        v = Math.max(v, flags.length);
      }
    }
    return v;
  }

  private static IParameterExceptionHandler parameterErrors(Io io) {
    return (ex, args) -> {
      String problem = stripDot(oneLine(ex.getMessage()));
      if (ex instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
        problem += " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
      }
      String command = ex.getCommandLine().getCommandSpec().qualifiedName();
      io.err.println("slotkeeper: " + problem + ". Fix: see '" + command + " --help'");
      io.err.flush();
      return CliException.USAGE;
    };
  }

  private static IExecutionExceptionHandler executionErrors(Io io) {
    return (ex, cmd, pr) -> {
      Throwable t = unwrap(ex);
      if (t instanceof CliException c) {
        io.err.println("slotkeeper: " + oneLine(c.getMessage()));
        if (io.verbose() && c.getCause() != null) {
          c.getCause().printStackTrace(io.err);
        }
        io.err.flush();
        return c.exitCode();
      }
      String what =
          t.getMessage() == null
              ? t.getClass().getName()
              : t.getClass().getSimpleName() + ": " + t.getMessage();
      io.err.println(
          "slotkeeper: unexpected error: "
              + stripDot(oneLine(what))
              + ". Fix: rerun with --verbose for the stack trace; if it persists, report it");
      if (io.verbose()) {
        t.printStackTrace(io.err);
      }
      io.err.flush();
      return CliException.RUNTIME;
    };
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Messages from drivers and libraries may span lines; the program's errors never do. */
  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }

  static String stripDot(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}
