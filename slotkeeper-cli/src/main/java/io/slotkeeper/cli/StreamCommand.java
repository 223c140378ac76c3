package io.slotkeeper.cli;

import io.slotkeeper.Lsn;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.TableName;
import io.slotkeeper.internal.supervision.SqlStates;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.DrainingControl;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Streams the changes of a logical replication slot as JSON Lines (one object per change) to stdout or a file.",
      "A transaction is acknowledged to the server only after all its lines are written and flushed, so a restart"
          + " continues where the output ends. SIGTERM or Ctrl-C drains and exits 0; a walsender kill or server"
          + " restart is a warning, not an exit.",
      "Line fields: op, lsn, commit_lsn, xid, commit_time, schema, table, new, old, old_kind, unchanged_toast;"
          + " truncate: tables; message: transactional, prefix, content, content_encoding (utf8|base64)."
    },
    footer = {
      "",
      "Example:",
      "  export PGPASSWORD=secret",
      "  slotkeeper stream --url jdbc:postgresql://localhost:5432/app \\",
      "      --user repl --slot app_slot --publication app_pub \\",
      "      --create-slot --create-publication > changes.jsonl",
      "  slotkeeper stream --config application.conf --http 127.0.0.1:8080"
    })
final class StreamCommand implements Callable<Integer> {
  private static final Pattern TABLE =
      Pattern.compile(
          "(?:[A-Za-z_][A-Za-z0-9_$]*|\"(?:[^\"]|\"\")+\")(?:\\.(?:[A-Za-z_][A-Za-z0-9_$]*|\"(?:[^\"]|\"\")+\"))?");

  private final Io io;

  @Mixin CommonOptions common;
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--slot",
      paramLabel = "NAME",
      description = "Replication slot (pgoutput) to stream from.")
  String slot;

  @Option(
      names = "--publication",
      paramLabel = "NAME",
      description = "Publication to stream; repeatable.")
  List<String> publications = new ArrayList<>();

  @Option(
      names = "--create-slot",
      description = "Create the slot if it does not exist (it then streams from now on).")
  boolean createSlot;

  @Option(
      names = "--snapshot",
      paramLabel = "off|initial",
      description =
          "initial: a slot this command creates starts with every row of the published tables"
              + " (snapshot lines), then the changes from that point on.")
  String snapshot;

  @Option(
      names = "--binary",
      arity = "0..1",
      fallbackValue = "on",
      paramLabel = "auto|on|off",
      description =
          "Values in binary format: auto (the default) uses binary on PostgreSQL 14+ when every"
              + " published column's type has a binary codec, text otherwise; --binary (on) asks"
              + " for binary always (PostgreSQL 14+); --binary=off for text always. The lines are"
              + " the same either way; with on, a value of a type Slotkeeper has no binary codec"
              + " for (a composite, an array of a non-built-in type, money under an lc_monetary"
              + " other than C, a type created after the connection started) is written as"
              + " {\"binary_base64\": ..., \"type_oid\": ...}.")
  String binary;

  @Option(
      names = "--origin",
      paramLabel = "any|none",
      description =
          "none: skip transactions replayed here by logical replication (written with a"
              + " replication origin), PostgreSQL 16+. Default any.")
  String origin;

  @Option(
      names = "--streaming",
      paramLabel = "auto|off|on|parallel",
      description =
          "Have the server stream large transactions while in progress (on: PostgreSQL 14+,"
              + " parallel: 16+); they are spooled and still written whole at their commit."
              + " auto: parallel on 16+, on on 14 and 15, off on 13. Default off (see the README:"
              + " a message in a rolled-back subtransaction, before its first row change, is"
              + " delivered when streamed).")
  String streaming;

  @Option(
      names = "--deliver-in-progress",
      description =
          "With streaming (not --streaming off; on PostgreSQL 13 nothing is streamed): write a"
              + " streamed transaction's changes as they arrive"
              + " (in_progress true), between stream_start and stream_stop lines, and then a"
              + " stream_commit or stream_abort line, for consumers that apply provisionally."
              + " Only stream_commit is acknowledged.")
  boolean deliverInProgress;

  @Option(
      names = "--two-phase",
      description =
          "Decode prepared transactions at PREPARE TRANSACTION (PostgreSQL 15+): their changes and a"
              + " prepare line, later a commit_prepared or rollback_prepared line, each with the GID."
              + " A slot this command creates gets TWO_PHASE; on an existing slot the server turns"
              + " it on for good.")
  boolean twoPhase;

  @Option(
      names = "--create-publication",
      description = "Create missing publications: FOR ALL TABLES, or FOR TABLE the --table list.")
  boolean createPublication;

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description =
          "With --create-publication: a table to publish " + "(schema.table); repeatable.")
  List<String> tables = new ArrayList<>();

  @Option(
      names = "--backfill",
      paramLabel = "TABLE",
      description =
          "Read a published table (schema.table) again while streaming, on the same slot, as"
              + " snapshot lines between the changes (it needs a primary key); repeatable, one"
              + " table after another. An interrupted backfill continues where its acknowledged"
              + " chunks end when the program runs again; one that finished is read again.")
  List<String> backfills = new ArrayList<>();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Append the lines to FILE (fsync'ed before acknowledging) instead of writing to stdout.")
  Path output;

  @Option(names = "--with-tx", description = "Also write begin and commit lines.")
  boolean withTx;

  @Option(
      names = "--end-lsn",
      paramLabel = "LSN",
      description =
          "Stop (exit 0) after the last transaction committed at or before LSN, like pg_recvlogical --endpos.")
  Lsn endLsn;

  @Option(
      names = "--progress",
      description = "Print progress to stderr every second even when it is not a terminal.")
  boolean progress;

  @Mixin HttpOptions httpOptions = new HttpOptions();

  StreamCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    io.stopHandled = true;
    CliConfig cfg = CliConfig.load(connection.config, io);
    SourceSettings settings = settings(cfg);
    if (!tables.isEmpty() && !createPublication) {
      throw CliException.usage(
          "--table only applies together with --create-publication",
          "add --create-publication, or drop --table (an existing publication decides its own tables)");
    }
    for (String t : tables) {
      if (!TABLE.matcher(t).matches()) {
        throw CliException.usage(
            "'" + t + "' is not a table name",
            "use table or schema.table, e.g. --table public.orders");
      }
    }
    List<TableName> backfillTables = new ArrayList<>();
    for (String t : backfills) {
      try {
        backfillTables.add(TableName.parse(t));
      } catch (IllegalArgumentException e) {
        throw CliException.usage(
            "'" + t + "' is not a table name", "use schema.table, e.g. --backfill public.orders");
      }
    }
    Optional<HttpOptions.Serving> serving = httpOptions.resolve(cfg, io);

    // The actor system starts while the preflight asks the server: the program's time to its
    // first change is mostly such start-up work (issue 16).
    Engine.Starting starting = Engine.startInBackground(cfg.root(), io.verbosity);
    String slotNotice;
    OutputTarget target;
    try {
      slotNotice = preflight(settings);
      try {
        target = output == null ? OutputTarget.stdout(io.out) : OutputTarget.file(output);
      } catch (IOException e) {
        throw CliException.runtime(
            "cannot open output file " + output + ": " + e.getMessage(),
            "choose a writable path for --output");
      }
    } catch (RuntimeException | Error e) {
      starting.abandon();
      throw e;
    }
    ActorSystem<Void> system = starting.get();
    StreamPipeline pipeline = new StreamPipeline(settings, target, withTx, endLsn, null);
    StreamPipeline.Running running = null;
    StatusReporter reporter = new StatusReporter(io, progress, settings.slot().name());
    if (slotNotice != null) {
      reporter.onFirstActive(slotNotice);
    }
    AutoCloseable subscription = null;
    HttpStatusServer server = null;
    try {
      running = pipeline.run(system);
      Control control = running.control();
      StreamPipeline.Stats stats = running.stats();
      subscription = reporter.attach(control);
      for (TableName t : backfillTables) {
        backfill(control, t);
      }
      if (serving.isPresent()) {
        server =
            serving.get().start(probe(settings.slot().name(), system, control, stats, reporter));
        if (progress || io.stderrIsTerminal || io.verbose()) {
          io.note(
              "HTTP status on "
                  + serving.get().scheme()
                  + "://"
                  + server.address().getHostString()
                  + ":"
                  + server.address().getPort()
                  + "/status");
        }
      }
      return loop(settings, pipeline, running, reporter, target);
    } finally {
      reporter.close();
      closeQuietly(subscription);
      if (server != null) {
        server.close();
      }
      if (running != null && !running.control().isShutdown().toCompletableFuture().isDone()) {
        // A failed stream: make sure the connection is closed before the actor system goes.
        try {
          running.control().shutdown().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // best effort on the way out
        }
      }
      Engine.stop(system, Duration.ofSeconds(10));
      target.close();
    }
  }

  /** Asks for a backfill and says on stderr when it is done, or why it is not. */
  private void backfill(Control control, TableName table) {
    control
        .backfill(table)
        .whenComplete(
            (done, error) -> {
              if (error == null) {
                io.note("backfill of " + table + " done");
                return;
              }
              Throwable cause =
                  error instanceof java.util.concurrent.CompletionException
                          && error.getCause() != null
                      ? error.getCause()
                      : error;
              io.warn(cause.getMessage());
            });
  }

  private int loop(
      SourceSettings settings,
      StreamPipeline pipeline,
      StreamPipeline.Running running,
      StatusReporter reporter,
      OutputTarget target)
      throws Exception {
    DrainingControl<Done> control = running.control();
    CompletableFuture<Done> done = control.streamCompletion().toCompletableFuture();
    CompletableFuture<Object> wake =
        CompletableFuture.anyOf(done, io.stopRequested, running.endReached());
    while (!wake.isDone()) {
      try {
        wake.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // a tick, or the stream ended (handled below)
      }
      SourceProgress p = control.progress();
      reporter.tick(control.status(), p, running.stats());
      pipeline.checkEndWhileIdle(p);
    }
    if (done.isDone() && done.isCompletedExceptionally()) {
      throw failure(done, target);
    }
    String why = io.stopRequested.isDone() ? "on " + io.stopRequested.getNow("signal") : null;
    try {
      control.drainAndShutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      io.warn(
          "the stream did not finish draining within 30 s; exiting anyway (transactions not acknowledged"
              + " will be streamed again next time)");
    } catch (ExecutionException e) {
      throw failure(done, target);
    }
    StreamPipeline.Stats stats = running.stats();
    if (progress || io.stderrIsTerminal || io.verbose()) {
      reporter.close();
      String end = why != null ? "stopped " + why : "reached end position " + endLsn;
      io.note(
          end
              + ": "
              + Format.count(stats.transactions.get())
              + " transactions, "
              + Format.count(stats.rows.get())
              + " rows written; slot "
              + settings.slot().name()
              + " confirmed at "
              + Lsn.max(control.progress().confirmedLsn(), stats.lastAcknowledged));
    }
    return 0;
  }

  private CliException failure(CompletableFuture<Done> done, OutputTarget target) {
    Throwable t;
    try {
      done.getNow(null);
      return CliException.runtime("the stream ended unexpectedly", "rerun with --verbose");
    } catch (Exception e) {
      t = Cli.unwrap(e);
    }
    while (t.getCause() != null
        && !(t instanceof SourceFailedException)
        && !(t instanceof StreamPipeline.OutputFailed)) {
      t = t.getCause();
    }
    if (t instanceof SourceFailedException f) {
      // The engine's own words for the problem and its fix, from the failure's fields.
      return f.remediation().isEmpty()
          ? new CliException(CliException.RUNTIME, Cli.oneLine(f.problem()), f)
          : CliException.runtime(Cli.oneLine(f.problem()), Cli.oneLine(f.remediation()), f);
    }
    if (t instanceof StreamPipeline.OutputFailed o) {
      return CliException.runtime(
          Cli.stripDot(o.getMessage()),
          "make sure "
              + target.describe()
              + " stays writable (a reader that keeps reading, a disk with space); nothing after the last flushed"
              + " transaction was acknowledged, so a restart streams it again",
          o);
    }
    return new CliException(
        CliException.RUNTIME,
        "the stream failed: "
            + Cli.oneLine(t.toString())
            + ". Fix: rerun with --verbose for details",
        t);
  }

  private SourceSettings settings(CliConfig cfg) {
    SourceSettings s = cfg.connection(connection, io);
    if (slot != null) {
      s = s.withSlotName(slot);
    }
    if (!publications.isEmpty()) {
      s = s.withPublications(publications);
    }
    if (s.slot().name().isEmpty()) {
      throw CliException.usage(
          "no replication slot given", "pass --slot NAME (or set slotkeeper.source.slot-name)");
    }
    if (s.publication().names().isEmpty()) {
      throw CliException.usage(
          "no publication given",
          "pass --publication NAME (or set slotkeeper.source.publications = [NAME])");
    }
    s = s.withCreateSlotIfMissing(createSlot || s.slot().createIfMissing());
    if (snapshot != null) {
      switch (snapshot) {
        case "off" -> s = s.withSnapshot(SlotSettings.Snapshot.OFF);
        case "initial" -> s = s.withSnapshot(SlotSettings.Snapshot.INITIAL);
        default ->
            throw CliException.usage(
                "unknown --snapshot '" + snapshot + "'",
                "use --snapshot off or --snapshot initial");
      }
    }
    if (binary != null) {
      s = s.withStream(s.stream().withBinary(binaryMode(binary)));
    }
    if (twoPhase) {
      s = s.withTwoPhase(true);
    }
    if (origin != null) {
      switch (origin) {
        case "any" -> s = s.withStream(s.stream().withOrigin(StreamSettings.OriginFilter.ANY));
        case "none" -> s = s.withStream(s.stream().withOrigin(StreamSettings.OriginFilter.NONE));
        default ->
            throw CliException.usage(
                "unknown --origin '" + origin + "'", "use --origin any or --origin none");
      }
    }
    if (streaming != null) {
      switch (streaming) {
        case "off" -> s = s.withStreaming(StreamSettings.Streaming.OFF);
        case "on" -> s = s.withStreaming(StreamSettings.Streaming.ON);
        case "parallel" -> s = s.withStreaming(StreamSettings.Streaming.PARALLEL);
        case "auto" -> s = s.withStreaming(StreamSettings.Streaming.AUTO);
        default ->
            throw CliException.usage(
                "unknown --streaming '" + streaming + "'",
                "use --streaming auto, off, on or parallel");
      }
    }
    if (deliverInProgress) {
      if (s.stream().streaming() == StreamSettings.Streaming.OFF) {
        throw CliException.usage(
            "--deliver-in-progress needs streamed transactions",
            "leave --streaming at auto, or use on (PostgreSQL 14+) or parallel (16+)");
      }
      s = s.withStream(s.stream().withDeliverInProgress(true));
    }
    if (endLsn != null && s.stream().keepaliveInterval().isEmpty()) {
      // Each keepalive asks the server for its WAL end; with --end-lsn that is how a stream with
      // nothing more to send learns it has reached the end, so ask every second.
      s = s.withKeepaliveMaxInterval(Duration.ofSeconds(1));
    }
    try {
      return s.validate();
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, Cli.oneLine(e.getMessage()));
    }
  }

  /**
   * Checks what the engine would only find out by failing, with fixes worded for this program, and
   * creates publications when asked. Returns a notice to print once streaming, or null. Unreachable
   * hosts in particular: the engine treats them as transient and retries for ever, which is right
   * for a service but not for a first try.
   */
  private String preflight(SourceSettings s) {
    try (Connection c = Db.connect(s)) {
      String db = CliConfig.database(s.connection().url());
      for (String pub : s.publication().names()) {
        if (Db.publicationExists(c, pub)) {
          if (createPublication && !tables.isEmpty()) {
            io.note("publication " + pub + " exists already; --table is ignored");
          }
          continue;
        }
        if (!createPublication) {
          throw CliException.runtime(
              "publication \"" + pub + "\" does not exist in database " + db,
              "pass --create-publication (FOR ALL TABLES, or the --table list), or create it: CREATE PUBLICATION "
                  + Db.quoteIdent(pub)
                  + " FOR TABLE <tables>;");
        }
        String what =
            tables.isEmpty() ? "FOR ALL TABLES" : "FOR TABLE " + String.join(", ", tables);
        try (Statement st = c.createStatement()) {
          st.execute("CREATE PUBLICATION " + Db.quoteIdent(pub) + " " + what);
        } catch (SQLException e) {
          if (SqlStates.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
            throw CliException.runtime(
                "cannot create publication " + pub + ": " + Cli.oneLine(e.getMessage()),
                tables.isEmpty()
                    ? "name the tables with --table (as their owner), or create it as a superuser"
                    : "create it as the tables' owner or a superuser",
                e);
          }
          if (SqlStates.UNDEFINED_TABLE.equals(e.getSQLState())) {
            throw CliException.runtime(
                "cannot create publication " + pub + ": " + Cli.oneLine(e.getMessage()),
                "correct the --table names",
                e);
          }
          throw Db.explain(e, s);
        }
        io.note("created publication " + pub + " " + what);
      }
      try (PreparedStatement ps =
          c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
        ps.setString(1, s.slot().name());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            if (!s.slot().createIfMissing()) {
              throw CliException.runtime(
                  "replication slot \"" + s.slot().name() + "\" does not exist",
                  "pass --create-slot, or create it first: slotkeeper slot create "
                      + s.slot().name()
                      + " --url ...");
            }
            // Said once the engine has created it: a failed start must stay one line.
            return "created replication slot "
                + s.slot().name()
                + " (pgoutput): it streams changes committed from now on";
          }
        }
      }
      return null;
    } catch (SQLException e) {
      throw Db.explain(e, s);
    }
  }

  private static HttpStatusServer.Probe probe(
      String slot,
      ActorSystem<?> system,
      Control control,
      StreamPipeline.Stats stats,
      StatusReporter reporter) {
    return new HttpStatusServer.Probe() {
      @Override
      public String slot() {
        return slot;
      }

      @Override
      public boolean live() {
        return !system.getWhenTerminated().toCompletableFuture().isDone();
      }

      @Override
      public SourceStatus status() {
        return control.status();
      }

      @Override
      public SourceProgress progress() {
        return control.progress();
      }

      @Override
      public long rowsWritten() {
        return stats.rows.get();
      }

      @Override
      public double rowsPerSecond() {
        return reporter.rowsPerSecond();
      }
    };
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // nothing to do on the way out
      }
    }
  }

  /** {@code --binary} alone is on; {@code --binary=auto|on|off} as the setting. */
  private static StreamSettings.Binary binaryMode(String value) {
    return switch (value) {
      case "on", "true" -> StreamSettings.Binary.ON;
      case "off", "false" -> StreamSettings.Binary.OFF;
      case "auto" -> StreamSettings.Binary.AUTO;
      default ->
          throw CliException.usage(
              "unknown --binary '" + value + "'", "use --binary, --binary=auto or --binary=off");
    };
  }
}
