package io.slotkeeper.cli;

import io.slotkeeper.ArchiveProgress;
import io.slotkeeper.ArchiveSettings;
import io.slotkeeper.SourceFailedException;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.ArchiveControl;
import io.slotkeeper.javadsl.StatusSubscription;
import io.slotkeeper.javadsl.WalArchiver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Archives the server's WAL into a directory over physical replication, as pg_receivewal does: segment"
          + " files named by timeline and position, the one in progress as NAME.partial.",
      "Where it starts: the newest segment in DIR; else the slot's restart_lsn (READ_REPLICATION_SLOT on"
          + " PostgreSQL 15+, pg_replication_slots before); else it refuses, saying what could be missing,"
          + " unless --allow-gap. Only fsynced WAL is reported to the server as flushed, so the slot never"
          + " passes what is on disk. SIGTERM or Ctrl-C stops it (exit 0); a walsender kill or server restart"
          + " is a warning, not an exit."
    },
    footer = {
      "",
      "Example:",
      "  export PGPASSWORD=secret",
      "  slotkeeper archive --url jdbc:postgresql://db:5432/postgres --user repl \\",
      "      --slot archive --create-slot --dir /var/lib/wal-archive"
    })
final class ArchiveCommand implements Callable<Integer> {
  private final Io io;

  @Mixin CommonOptions common;
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--slot",
      paramLabel = "NAME",
      description =
          "Physical replication slot to stream from (recommended: without one the server may recycle WAL"
              + " the archive has not got yet).")
  String slot;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      required = true,
      description = "Directory for the segment files; created if missing.")
  Path dir;

  @Option(
      names = "--create-slot",
      description = "Create the physical slot (RESERVE_WAL) if it does not exist.")
  boolean createSlot;

  @Option(
      names = "--allow-gap",
      description =
          "With an empty DIR and no slot position, start at the server's current position (WAL before it is"
              + " not archived, and this is said) instead of refusing.")
  boolean allowGap;

  @Option(
      names = "--compress",
      paramLabel = "METHOD[:LEVEL]",
      description =
          "Compress segment files: none (default), gzip (NAME.gz), lz4 (NAME.lz4) or zstd"
              + " (NAME.zst), named as pg_receivewal 15+ names them; the segment being written is"
              + " NAME.gz.partial / NAME.lz4.partial / NAME.zst.partial. A level as pg_receivewal"
              + " takes it: gzip:9, zstd:level=19 (gzip 1-9, lz4 1-12, zstd 1-22).")
  String compress;

  @Option(
      names = "--synchronous",
      description =
          "fsync each write and report the flush position at once, so the archiver can be a"
              + " synchronous standby (name it in synchronous_standby_names; see --application-name).")
  boolean synchronous;

  @Option(
      names = "--application-name",
      paramLabel = "NAME",
      description =
          "application_name of the replication connection (default slotkeeper:SLOT), as"
              + " synchronous_standby_names names it.")
  String applicationName;

  @Option(
      names = "--progress",
      description = "Print progress to stderr every second even when it is not a terminal.")
  boolean progress;

  @Mixin HttpOptions httpOptions = new HttpOptions();

  ArchiveCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() throws Exception {
    io.stopHandled = true;
    CliConfig cfg = CliConfig.load(connection.config, io);
    SourceSettings source = cfg.connection(connection, io);
    if (slot != null) {
      source = source.withSlotName(slot);
    }
    ArchiveSettings settings;
    try {
      settings =
          ArchiveSettings.create(source, dir)
              .withCreateSlot(createSlot)
              .withAllowGap(allowGap)
              .withSynchronous(synchronous)
              .withApplicationName(applicationName == null ? "" : applicationName)
              .withCompression(compress == null ? "none" : compress);
      settings.validate();
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, Cli.oneLine(e.getMessage()));
    }
    Optional<HttpOptions.Serving> serving = httpOptions.resolve(cfg, io);

    ActorSystem<Void> system = Engine.start(cfg.root(), io.verbosity);
    ArchiveControl control = null;
    StatusSubscription subscription = null;
    HttpStatusServer server = null;
    try {
      control = WalArchiver.start(system, settings);
      subscription = announce(control);
      if (serving.isPresent()) {
        server = serving.get().start(probe(settings.slotName(), control, system));
      }
      return loop(control);
    } finally {
      if (subscription != null) {
        subscription.close();
      }
      if (server != null) {
        server.close();
      }
      if (control != null && !control.isShutdown().toCompletableFuture().isDone()) {
        try {
          control.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // best effort on the way out
        }
      }
      Engine.stop(system, Duration.ofSeconds(10));
    }
  }

  /**
   * Says where archiving starts each time it (re)starts from a new decision, at any verbosity: the
   * start decides whether anything could be missing, and an allowed gap must be said.
   */
  private StatusSubscription announce(ArchiveControl control) {
    AtomicReference<String> said = new AtomicReference<>("");
    return control.subscribe(
        status -> {
          if (status.level() != StatusLevel.ACTIVE) {
            return;
          }
          // The launcher keeps this run's class-data dump only once archiving was reached.
          ClassSharingMark.streaming();
          String start = control.progress().start();
          if (!start.isEmpty() && !start.equals(said.getAndSet(start))) {
            if (start.contains("NOT archived")) {
              io.warn("archiving: " + start);
            } else {
              io.note("archiving into " + dir + ": " + start);
            }
          }
        });
  }

  private int loop(ArchiveControl control) throws Exception {
    CompletableFuture<Done> ended = control.isShutdown().toCompletableFuture();
    CompletableFuture<Object> wake = CompletableFuture.anyOf(ended, io.stopRequested);
    long lastPrint = 0;
    while (!wake.isDone()) {
      try {
        wake.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // a tick
      }
      if ((progress || io.stderrIsTerminal) && System.nanoTime() - lastPrint > 1_000_000_000L) {
        lastPrint = System.nanoTime();
        io.note(describe(control.progress()));
      }
    }
    if (!ended.isDone()) {
      control.shutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    SourceStatus status = control.status();
    if (status.level() == StatusLevel.FAILED) {
      SourceFailedException f = status.error().orElse(null);
      if (f == null) {
        throw CliException.runtime(Cli.oneLine(status.reason()), "rerun with --verbose");
      }
      throw f.remediation().isEmpty()
          ? new CliException(CliException.RUNTIME, Cli.oneLine(f.problem()), f)
          : CliException.runtime(Cli.oneLine(f.problem()), Cli.oneLine(f.remediation()), f);
    }
    ArchiveProgress p = control.progress();
    if (progress || io.stderrIsTerminal || io.verbose()) {
      io.note(
          "stopped"
              + (io.stopRequested.isDone() ? " on " + io.stopRequested.getNow("signal") : "")
              + ": "
              + describe(p));
    }
    return 0;
  }

  static String describe(ArchiveProgress p) {
    return "flushed "
        + p.flushedLsn()
        + (p.currentSegment().isEmpty() ? "" : ", writing " + p.currentSegment())
        + ", "
        + p.segmentsCompleted()
        + " segments completed, "
        + Format.count(p.bytesWritten())
        + " bytes ("
        + Format.count(Math.round(p.bytesPerSecond()))
        + "/s)"
        + (p.timeline() > 1 ? ", timeline " + p.timeline() : "")
        + (p.lagBytes() >= 0 ? ", " + Format.count(p.lagBytes()) + " bytes behind the server" : "");
  }

  /** The archive as the status server's probe sees a source: received, flushed as confirmed. */
  private static HttpStatusServer.Probe probe(
      String slot, ArchiveControl control, ActorSystem<Void> system) {
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
        ArchiveProgress a = control.progress();
        return new SourceProgress(
            a.receivedLsn(),
            a.flushedLsn(),
            a.reconnects(),
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            -1,
            -1,
            "",
            a.lagBytes(),
            -1);
      }

      @Override
      public long rowsWritten() {
        return 0;
      }

      @Override
      public double rowsPerSecond() {
        return 0;
      }

      @Override
      public java.util.Optional<ArchiveProgress> archive() {
        return java.util.Optional.of(control.progress());
      }
    };
  }
}
