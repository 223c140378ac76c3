package io.slotkeeper.cli;

import io.slotkeeper.ChangeEnvelope;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SnapshotProgress;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.Waiting;
import io.slotkeeper.javadsl.Committer;
import io.slotkeeper.javadsl.Control;
import io.slotkeeper.javadsl.DrainingControl;
import io.slotkeeper.javadsl.ReplicationSource;
import io.slotkeeper.pgoutput.Insert;
import io.slotkeeper.pgoutput.TupleData;
import io.slotkeeper.pgoutput.Update;
import io.slotkeeper.postgres.HeldTransaction;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.postgres.StopMode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    sortOptions = false,
    description = {
      "Starts an embedded PostgreSQL, streams a live write load through the engine and injects real"
          + " faults on the way: a killed walsender, a stalled consumer, a server restart and a slot creation blocked by"
          + " an open transaction. Ends with a verified count: every committed row must arrive exactly once.",
      "Exit code 0 only if no row was lost or duplicated. Needs nothing but Java: the PostgreSQL binaries ship"
          + " inside the program."
    })
final class DemoCommand implements Callable<Integer> {
  private static final String SLOT = "demo_slot";
  private static final String SECOND_SLOT = "demo_slot_blocked";
  private static final String PUBLICATION = "demo_pub";
  private static final String SNAPSHOT_SLOT = "demo_snapshot_slot";
  private static final int WAL_SENDER_TIMEOUT_S = 2;

  private final Io io;

  @Mixin CommonOptions common;

  @Option(
      names = "--short",
      description = "A run of about 30 s (for CI) instead of about a minute.")
  boolean shortRun;

  @Option(
      names = "--pg-version",
      paramLabel = "MAJOR",
      description = "PostgreSQL major version to run: 13 to 18" + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "17")
  int pgVersion;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Also append the streamed changes, as `slotkeeper stream` writes them, to FILE.")
  Path output;

  DemoCommand(Io io) {
    this.io = io;
  }

  /** How long each part lasts. */
  private record Plan(
      int rowsPerSecond,
      long warmupMs,
      long settleMs,
      long serverDownMs,
      long blockerHoldMs,
      String length) {}

  /** Counts what arrived: per inserted id how often, and when rows last came. */
  private static final class Received {
    final Map<Long, Integer> counts = new ConcurrentHashMap<>();
    final AtomicLong rows = new AtomicLong();
    final AtomicLong batches = new AtomicLong();
    volatile long lastRowNanos = System.nanoTime();
    volatile long longestGapNanos;
    volatile String longestGapDuring = "";
    volatile String phase = "start-up";

    void accept(List<ChangeEnvelope> batch) {
      long inserts = 0;
      for (ChangeEnvelope e : batch) {
        if (e.message() instanceof Insert ins && ins.relation().name().equals("demo_orders")) {
          counts.merge(Long.parseLong(ins.newTuple().get(0).text()), 1, Integer::sum);
          inserts++;
        }
      }
      if (inserts > 0) {
        long now = System.nanoTime();
        long gap = now - lastRowNanos;
        if (gap > longestGapNanos) {
          longestGapNanos = gap;
          longestGapDuring = phase;
        }
        lastRowNanos = now;
        rows.addAndGet(inserts);
        batches.incrementAndGet();
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    io.stopHandled = true;
    Plan plan =
        shortRun
            ? new Plan(200, 4_000, 3_000, 1_000, 3_000, "about 30 s")
            : new Plan(300, 10_000, 8_000, 3_000, 5_000, "about a minute");
    PrintStream out = io.out;
    out.println("Slotkeeper demo: a live write load streamed through faults injected on purpose");
    out.println(
        "(" + (shortRun ? "short run, " : "") + plan.length() + "; every step says what happened)");
    long demoStart = System.nanoTime();

    step(
        1,
        "Start PostgreSQL "
            + pgVersion
            + " (embedded, wal_sender_timeout = "
            + WAL_SENDER_TIMEOUT_S
            + "s)");
    long t0 = System.nanoTime();
    PostgresServer pg;
    try {
      pg =
          PostgresServer.builder()
              .version(pgVersion)
              .setting("wal_sender_timeout", WAL_SENDER_TIMEOUT_S + "s")
              .start();
    } catch (RuntimeException e) {
      throw CliException.runtime(
          "cannot start the embedded PostgreSQL "
              + pgVersion
              + ": "
              + Cli.stripDot(Cli.oneLine(e.getMessage())),
          "pick a version the program ships (13 to 18, --pg-version) on"
              + " Linux x86-64, or run with --verbose for the server's log",
          e);
    }
    try (pg) {
      done(
          "ok: "
              + pg.queryString("SHOW server_version")
              + " on "
              + pg.host()
              + ":"
              + pg.port()
              + " ("
              + Format.seconds(System.nanoTime() - t0)
              + ")");
      return run(pg, plan, demoStart);
    }
  }

  private int run(PostgresServer pg, Plan plan, long demoStart) throws Exception {
    PrintStream out = io.out;
    step(2, "Create table demo_orders, publication " + PUBLICATION + " and slot " + SLOT);
    pg.execute(
        "CREATE TABLE demo_orders (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(10,2),"
            + " note text, created_at timestamptz NOT NULL DEFAULT now())");
    pg.execute("CREATE PUBLICATION " + PUBLICATION + " FOR TABLE demo_orders");
    SourceSettings settings =
        SourceSettings.create(com.typesafe.config.ConfigFactory.empty())
            .withUrl(pg.jdbcUrl())
            .withUser(pg.superuser())
            .withPassword(pg.superuserPassword())
            .withSlotName(SLOT)
            .withPublications(PUBLICATION)
            // Short back-off so the restart step does not spend its time waiting between attempts.
            .withRestartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.2);
    String slotLsn;
    try (Connection c = pg.connect()) {
      slotLsn = SlotCommand.SlotCreation.create(c, settings, SLOT, io, false).lsn();
    }
    done("ok: slot at " + slotLsn);

    Received received = new Received();
    OutputTarget target = output == null ? OutputTarget.discard() : OutputTarget.file(output);
    ActorSystem<Void> system =
        Engine.start(com.typesafe.config.ConfigFactory.empty(), io.verbosity);
    StreamPipeline pipeline = new StreamPipeline(settings, target, false, null, received::accept);
    DemoWriteLoad load = null;
    StreamPipeline.Running running = null;
    try {
      step(3, "Stream the slot while a writer commits about " + plan.rowsPerSecond() + " rows/s");
      long t0 = System.nanoTime();
      running = pipeline.run(system);
      Control control = running.control();
      this.control = control;
      this.received = received;
      control.waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(30)).toCompletableFuture().get();
      load = new DemoWriteLoad(pg, plan.rowsPerSecond()).start();
      this.load = load;
      received.phase = "normal streaming";
      done("streaming (ACTIVE after " + Format.seconds(System.nanoTime() - t0) + ")");
      pause(plan.warmupMs());
      awaitRows(received, "rows to arrive", 15);
      soFar(load, received, control);

      step(4, "Fault: terminate the walsender (pg_terminate_backend, as an administrator would)");
      received.phase = "walsender kill";
      long rc = control.progress().reconnects();
      t0 = System.nanoTime();
      int pid = pg.terminateWalsender(SLOT);
      done("terminated PID " + pid);
      await("the engine to notice", 20, () -> control.progress().reconnects() > rc);
      long resumed = awaitRowsAfter(received, System.nanoTime(), 30);
      detail(
          "the engine reconnected by itself; rows flowing again "
              + Format.seconds(resumed - t0)
              + " after the kill (the server replays from the slot; nothing is delivered twice)");
      received.phase = "normal streaming";
      pause(plan.settleMs());
      soFar(load, received, control);

      step(
          5,
          "Fault: stall the consumer for "
              + 3 * WAL_SENDER_TIMEOUT_S
              + " s (3 x wal_sender_timeout)");
      received.phase = "consumer stall";
      long rcBefore = control.progress().reconnects();
      t0 = System.nanoTime();
      pipeline.pause(3_000L * WAL_SENDER_TIMEOUT_S);
      done("output paused");
      pause(3_000L * WAL_SENDER_TIMEOUT_S);
      resumed = awaitRowsAfter(received, t0 + 3_000_000_000L * WAL_SENDER_TIMEOUT_S, 30);
      long rcAfter = control.progress().reconnects();
      detail(
          rcAfter == rcBefore
              ? "no reconnect needed: back-pressure held the server back and keepalives kept the connection alive"
              : "the connection was replaced "
                  + (rcAfter - rcBefore)
                  + " time(s) during the stall; no rows lost");
      detail("rows flowing again " + Format.seconds(resumed - t0) + " after the stall began");
      received.phase = "normal streaming";
      pause(plan.settleMs());
      soFar(load, received, control);

      step(
          6,
          "Fault: restart the server (fast stop, "
              + plan.serverDownMs() / 1000.0
              + " s down, start)");
      received.phase = "server restart";
      long rcRestart = control.progress().reconnects();
      t0 = System.nanoTime();
      pg.stop(StopMode.FAST);
      long stopped = System.nanoTime();
      pause(plan.serverDownMs());
      pg.start();
      done("server back after " + Format.seconds(System.nanoTime() - t0));
      await("the engine to reconnect", 60, () -> control.progress().reconnects() > rcRestart);
      resumed = awaitRowsAfter(received, System.nanoTime(), 60);
      detail(
          "stream resumed "
              + Format.seconds(resumed - stopped)
              + " after the stop, "
              + (control.progress().reconnects() - rcRestart)
              + " reconnect attempt(s); the writer reconnected too");
      received.phase = "normal streaming";
      pause(plan.settleMs());
      soFar(load, received, control);

      step(7, "Fault: a second source must create its slot while a transaction stays open");
      received.phase = "blocked slot creation";
      long blockedNanos;
      long rowsBefore = received.rows.get();
      try (HeldTransaction held = pg.holdOpenTransaction()) {
        done("transaction xid " + held.xid() + " open in PID " + held.pid());
        // The engine creates the slot itself: while creation waits it names the blocker in its
        // status and runs the self-heal (pg_log_standby_snapshot on PostgreSQL 16+).
        SourceSettings second =
            settings
                .withSlotName(SECOND_SLOT)
                .withCreateSlotIfMissing(true)
                .withDropSlotOnStop(true)
                .withHealInterval(Duration.ofMillis(500));
        DrainingControl<Done> other =
            ReplicationSource.create(second)
                .map(ChangeEnvelope::committableOffset)
                .toMat(Committer.sink(), DrainingControl::create)
                .run(system);
        long createStart = System.nanoTime();
        await(
            "the second source to name the blocker",
            30,
            () ->
                other
                    .status()
                    .waiting()
                    .filter(
                        w ->
                            w instanceof Waiting.CreationBlocked c
                                && c.blockerPids().contains(held.pid()))
                    .isPresent());
        pause(plan.blockerHoldMs());
        SourceProgress p = other.progress();
        detail("its status: " + other.status());
        detail(
            "heal attempts so far: "
                + p.healAttempts()
                + " ("
                + p.healSucceeded()
                + " ran pg_log_standby_snapshot, "
                + p.healUnavailable()
                + " could not)");
        held.commit();
        detail("committed the open transaction");
        other
            .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(60))
            .toCompletableFuture()
            .get(65, TimeUnit.SECONDS);
        blockedNanos = System.nanoTime() - createStart;
        done(
            "the second source is ACTIVE, without a restart, "
                + Format.seconds(blockedNanos)
                + " after it began");
        other.drainAndShutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      detail(
          "slot "
              + SECOND_SLOT
              + " dropped on stop; the main stream kept going meanwhile: "
              + Format.count(received.rows.get() - rowsBefore)
              + " rows");
      received.phase = "normal streaming";

      step(8, "Stop the writer and let the stream catch up");
      load.close();
      Set<Long> written = writtenIds(pg);
      t0 = System.nanoTime();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!received.counts.keySet().containsAll(written) && System.nanoTime() < deadline) {
        pause(50);
      }
      running.control().drainAndShutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
      done(
          "caught up in "
              + Format.seconds(System.nanoTime() - t0)
              + "; stream drained and shut down");
      String confirmed =
          pg.queryString(
              "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
                  + SLOT
                  + "'");
      boolean snapshotOk = snapshotUnderWrites(pg, system, settings, plan);

      return summary(
          written,
          received,
          control.progress().reconnects(),
          blockedNanos,
          confirmed,
          snapshotOk,
          demoStart,
          out);
    } finally {
      if (load != null) {
        load.close();
      }
      if (running != null) {
        try {
          running.control().shutdown().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // already shut down, or the server is gone: nothing left to close
        }
      }
      Engine.stop(system, Duration.ofSeconds(10));
      try {
        target.close();
      } catch (IOException ignored) {
        // the demo's copy of the output is a convenience
      }
    }
  }

  private int summary(
      Set<Long> written,
      Received received,
      long reconnects,
      long blockedNanos,
      String confirmed,
      boolean snapshotOk,
      long demoStart,
      PrintStream out) {
    Set<Long> got = received.counts.keySet();
    long lost = written.stream().filter(id -> !got.contains(id)).count();
    long phantom = got.stream().filter(id -> !written.contains(id)).count();
    long duplicated = received.counts.values().stream().mapToLong(c -> c - 1).sum();
    out.println();
    out.println("Summary");
    String fmt = "  %-28s %s%n";
    out.printf(Locale.ROOT, fmt, "rows written (committed)", Format.count(written.size()));
    out.printf(Locale.ROOT, fmt, "rows received", Format.count(received.rows.get()));
    out.printf(Locale.ROOT, fmt, "lost", Format.count(lost));
    out.printf(Locale.ROOT, fmt, "duplicated", Format.count(duplicated));
    if (phantom > 0) {
      out.printf(Locale.ROOT, fmt, "received but never committed", Format.count(phantom));
    }
    out.printf(Locale.ROOT, fmt, "reconnects", Format.count(reconnects));
    out.printf(
        Locale.ROOT,
        fmt,
        "longest stall survived",
        Format.seconds(received.longestGapNanos) + "  (" + received.longestGapDuring + ")");
    out.printf(Locale.ROOT, fmt, "slot creation blocked for", Format.seconds(blockedNanos));
    out.printf(Locale.ROOT, fmt, "slot confirmed at", confirmed);
    out.printf(Locale.ROOT, fmt, "snapshot replica", snapshotOk ? "equals the table" : "DIFFERS");
    out.printf(Locale.ROOT, fmt, "demo took", Format.seconds(System.nanoTime() - demoStart));
    out.println();
    boolean ok = lost == 0 && duplicated == 0 && phantom == 0 && snapshotOk;
    if (ok) {
      out.println(
          "PASS: every committed row arrived exactly once, through every fault; the snapshot"
              + " and the changes after it rebuilt the table exactly.");
    } else {
      out.println(
          "FAIL: "
              + lost
              + " lost, "
              + duplicated
              + " duplicated, "
              + phantom
              + " never committed."
              + " Please report this with the output of 'slotkeeper demo --verbose'.");
    }
    out.flush();
    return ok ? 0 : 1;
  }

  /**
   * Step 9: a new slot with {@code slot.snapshot = initial} copies demo_orders on two readers while
   * a writer goes on; a replica built from the snapshot rows and then the changes, in delivery
   * order, must equal the table, with no row both in the snapshot and inserted after it.
   */
  private boolean snapshotUnderWrites(
      PostgresServer pg, ActorSystem<Void> system, SourceSettings base, Plan plan)
      throws Exception {
    long existing = pg.queryLong("SELECT count(*) FROM demo_orders");
    step(
        9,
        "Snapshot: a new slot copies demo_orders ("
            + Format.count(existing)
            + " rows) on 2 readers while a writer commits");
    String none = "\u0000null";
    Map<String, String> replica = new ConcurrentHashMap<>();
    AtomicLong snapshotRows = new AtomicLong();
    AtomicLong changes = new AtomicLong();
    AtomicLong overlap = new AtomicLong();
    SourceSettings s =
        base.withSlotName(SNAPSHOT_SLOT)
            .withCreateSlotIfMissing(true)
            .withDropSlotOnStop(true)
            .withSnapshot(SlotSettings.Snapshot.INITIAL)
            .withSnapshotReaders(2)
            .withSnapshotChunkSize(1_000);
    long firstId = pg.queryLong("SELECT coalesce(max(id), 0) + 1 FROM demo_orders");
    DemoWriteLoad writer = new DemoWriteLoad(pg, plan.rowsPerSecond(), firstId).start();
    DrainingControl<Done> snapshot = null;
    try {
      pause(500);
      long t0 = System.nanoTime();
      snapshot =
          ReplicationSource.create(s)
              .toMat(
                  org.apache.pekko.stream.javadsl.Sink.foreach(
                      (ChangeEnvelope e) -> {
                        String table = e.relation().map(r -> r.name()).orElse("");
                        if (!table.equals("demo_orders")) {
                          // not a row: a Begin, a Commit, a message
                        } else if (e.kind() == ChangeEnvelope.Kind.SNAPSHOT) {
                          TupleData row = e.row().orElseThrow();
                          String note = row.get(3).isNull() ? none : row.get(3).text();
                          if (replica.put(row.get(0).text(), note) != null) {
                            overlap.incrementAndGet();
                          }
                          snapshotRows.incrementAndGet();
                        } else if (e.message() instanceof Insert ins) {
                          TupleData row = ins.newTuple();
                          String note = row.get(3).isNull() ? none : row.get(3).text();
                          if (replica.put(row.get(0).text(), note) != null) {
                            overlap.incrementAndGet(); // already in the snapshot
                          }
                          changes.incrementAndGet();
                        } else if (e.message() instanceof Update upd) {
                          TupleData row = upd.newTuple();
                          replica.put(
                              row.get(0).text(), row.get(3).isNull() ? none : row.get(3).text());
                          changes.incrementAndGet();
                        }
                        if (e.committableOffset().isUnitEnd()) {
                          e.committableOffset().commit();
                        }
                      }),
                  org.apache.pekko.stream.javadsl.Keep.both())
              .mapMaterializedValue(DrainingControl::create)
              .run(system);
      Control c = snapshot.control();
      await(
          "the snapshot to finish",
          60,
          () -> c.progress().snapshot().state() == SnapshotProgress.State.DONE);
      detail(
          "read in "
              + Format.seconds(System.nanoTime() - t0)
              + ": "
              + c.progress().snapshot().describe()
              + "; streaming from the slot's consistent point");
      pause(plan.settleMs() / 2);
      writer.close();
      Map<String, String> table =
          pg.query(
              "SELECT id::text, note FROM demo_orders",
              rs -> {
                Map<String, String> m = new java.util.HashMap<>();
                while (rs.next()) {
                  m.put(rs.getString(1), rs.getString(2) == null ? none : rs.getString(2));
                }
                return m;
              });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!replica.equals(table) && System.nanoTime() < deadline) {
        pause(50);
      }
      snapshot.drainAndShutdown().toCompletableFuture().get(30, TimeUnit.SECONDS);
      snapshot = null;
      long missing = table.keySet().stream().filter(k -> !replica.containsKey(k)).count();
      long different =
          table.entrySet().stream()
              .filter(e -> replica.containsKey(e.getKey()))
              .filter(e -> !e.getValue().equals(replica.get(e.getKey())))
              .count();
      long extra = replica.keySet().stream().filter(k -> !table.containsKey(k)).count();
      detail(
          String.format(
              Locale.ROOT,
              "%s snapshot rows, then %s changes; replica vs table: %d missing, %d extra,"
                  + " %d different, %d rows both copied and inserted",
              Format.count(snapshotRows.get()),
              Format.count(changes.get()),
              missing,
              extra,
              different,
              overlap.get()));
      return missing == 0 && extra == 0 && different == 0 && overlap.get() == 0;
    } finally {
      writer.close();
      if (snapshot != null) {
        snapshot.control().shutdown().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static Set<Long> writtenIds(PostgresServer pg) {
    return pg.query(
        "SELECT id FROM demo_orders",
        rs -> {
          Set<Long> ids = new HashSet<>();
          while (rs.next()) {
            ids.add(rs.getLong(1));
          }
          return ids;
        });
  }

  private void step(int n, String what) {
    io.out.printf(Locale.ROOT, "%n%2d. %s%n", n, what);
    io.out.flush();
  }

  private void done(String what) {
    detail(what);
  }

  private void detail(String what) {
    io.out.println("    " + what);
    io.out.flush();
  }

  private void soFar(DemoWriteLoad load, Received received, Control control) {
    detail(
        String.format(
            Locale.ROOT,
            "so far: %s rows committed, %s received, %s reconnects, status %s",
            Format.count(load.committedRows()),
            Format.count(received.rows.get()),
            Format.count(control.progress().reconnects()),
            control.status().level()));
  }

  /** Sleeps, but ends the demo (cleaning up the server) when the person presses Ctrl-C. */
  private void pause(long millis) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000L;
    while (System.nanoTime() < end) {
      checkStop();
      Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000L)));
    }
  }

  private void checkStop() {
    if (io.stopRequested.isDone()) {
      String signal = io.stopRequested.getNow("a signal");
      throw new CliException(
          "SIGTERM".equals(signal) ? 143 : 130,
          "demo stopped on "
              + signal
              + "; the embedded PostgreSQL is shut down and its data deleted");
    }
  }

  /** What the demo is watching, for the message when a wait is in vain. */
  private Control control;

  private DemoWriteLoad load;
  private Received received;

  private void await(String what, int seconds, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      checkStop();
      if (System.nanoTime() > deadline) {
        String state =
            control == null
                ? ""
                : " (status "
                    + control.status()
                    + ", "
                    + control.progress()
                    + (load == null
                        ? ""
                        : ", writer committed "
                            + load.committedRows()
                            + " rows, "
                            + load.failedCommits()
                            + " failed commits")
                    + (received == null ? "" : ", received " + received.rows.get() + " rows")
                    + ")";
        throw CliException.runtime(
            "the demo waited " + seconds + " s for " + what + " in vain" + state,
            "rerun with --verbose to see the engine's log, and report it");
      }
      Thread.sleep(20);
    }
  }

  private void awaitRows(Received received, String what, int seconds) throws InterruptedException {
    long before = received.rows.get();
    await(what, seconds, () -> received.rows.get() > before || before > 0);
  }

  /** Waits for a batch of rows that arrived after {@code afterNanos}; returns when it did. */
  private long awaitRowsAfter(Received received, long afterNanos, int seconds)
      throws InterruptedException {
    await("rows to flow again", seconds, () -> received.lastRowNanos > afterNanos);
    return received.lastRowNanos;
  }
}
