package io.slotkeeper.cli;

import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.snapshot.SnapshotMarker;
import io.slotkeeper.internal.supervision.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "slot",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    description = "Slot chores: create, drop, list.",
    subcommands = {SlotCommand.Create.class, SlotCommand.Drop.class, SlotCommand.ListSlots.class})
final class SlotCommand implements Callable<Integer> {
  private final Io io;

  @Mixin CommonOptions common;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  SlotCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    io.err.println(
        "slotkeeper: 'slot' needs a subcommand. Fix: run slotkeeper slot create|drop|list (see"
            + " 'slotkeeper slot --help')");
    return CliException.USAGE;
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      usageHelpAutoWidth = true,
      description =
          "Creates a logical replication slot with the pgoutput plugin. It keeps WAL from now on until a"
              + " consumer confirms it: drop slots you no longer use.")
  static final class Create implements Callable<Integer> {
    private final Io io;
    @Mixin CommonOptions common;
    @Mixin ConnectionOptions connection;
    @Mixin SlotNameOptions slotName;

    Create(Io io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      SourceSettings s = CliConfig.load(connection.config, io).connection(connection, io);
      String slotName = this.slotName.resolve(s);
      try (Connection c = Db.connect(s)) {
        SlotCreation.Result r = SlotCreation.create(c, s, slotName, io, true);
        io.out.println(
            "created replication slot "
                + slotName
                + " (pgoutput) at "
                + r.lsn()
                + (r.waitedNanos() > 2_000_000_000L
                    ? " after waiting " + Format.seconds(r.waitedNanos()) + " for open transactions"
                    : ""));
        return 0;
      } catch (SQLException e) {
        if (SqlStates.DUPLICATE_OBJECT.equals(e.getSQLState())) {
          throw CliException.runtime(
              "replication slot \"" + slotName + "\" already exists",
              "use it as it is, or drop it first: slotkeeper slot drop " + slotName);
        }
        if (SqlStates.OBJECT_NOT_IN_PREREQUISITE_STATE.equals(e.getSQLState())) {
          throw CliException.runtime(
              Cli.oneLine(e.getMessage()),
              "set wal_level = logical (ALTER SYSTEM SET wal_level = logical;) and restart the server",
              e);
        }
        if (SqlStates.CONFIGURATION_LIMIT_EXCEEDED.equals(e.getSQLState())) {
          throw CliException.runtime(
              Cli.oneLine(e.getMessage()),
              "drop slots you no longer use (slotkeeper slot list) or raise max_replication_slots",
              e);
        }
        throw Db.explain(e, s);
      }
    }
  }

  @Command(
      name = "drop",
      mixinStandardHelpOptions = true,
      usageHelpAutoWidth = true,
      description = "Drops a replication slot; the server may then remove the WAL it kept.")
  static final class Drop implements Callable<Integer> {
    private final Io io;
    @Mixin CommonOptions common;
    @Mixin ConnectionOptions connection;
    @Mixin SlotNameOptions slotName;

    Drop(Io io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      SourceSettings s = CliConfig.load(connection.config, io).connection(connection, io);
      String slotName = this.slotName.resolve(s);
      try (Connection c = Db.connect(s);
          PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
        ps.setString(1, slotName);
        ps.execute();
        io.out.println("dropped replication slot " + slotName);
        try {
          // A consumer that died mid-snapshot left a mark of it; with the slot gone it would only
          // make a later slot of this name retake a snapshot.
          SnapshotMarker.drop(c, slotName);
        } catch (SQLException e) {
          io.err.println(
              "warning: could not drop the mark of the slot's unfinished initial snapshot"
                  + " (slot "
                  + SnapshotMarker.name(slotName)
                  + "): "
                  + Cli.oneLine(e.getMessage()));
        }
        return 0;
      } catch (SQLException e) {
        if (SqlStates.UNDEFINED_OBJECT.equals(e.getSQLState())) {
          throw CliException.runtime(
              "replication slot \"" + slotName + "\" does not exist",
              "check the name: slotkeeper slot list");
        }
        if (SqlStates.OBJECT_IN_USE.equals(e.getSQLState())) {
          throw CliException.runtime(
              Cli.oneLine(e.getMessage()),
              "stop the consumer streaming from it first (slotkeeper status "
                  + slotName
                  + " names it)",
              e);
        }
        throw Db.explain(e, s);
      }
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      usageHelpAutoWidth = true,
      description = "Lists the server's replication slots.")
  static final class ListSlots implements Callable<Integer> {
    private final Io io;
    @Mixin CommonOptions common;
    @Mixin ConnectionOptions connection;

    @Option(names = "--json", description = "A JSON array instead of a table.")
    boolean json;

    ListSlots(Io io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      SourceSettings s = CliConfig.load(connection.config, io).connection(connection, io);
      List<Db.SlotRow> rows;
      try (Connection c = Db.connect(s)) {
        rows = Db.slots(c, null);
      } catch (SQLException e) {
        throw Db.explain(e, s);
      }
      if (json) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Db.SlotRow r : rows) {
          out.add(r.toJson());
        }
        io.out.println(Json.write(out));
        return 0;
      }
      if (rows.isEmpty()) {
        io.out.println("no replication slots on " + CliConfig.hostPort(s.connection().url()));
        return 0;
      }
      String fmt = "%-24s %-10s %-12s %-10s %-16s %10s %10s  %s%n";
      io.out.printf(
          Locale.ROOT,
          fmt,
          "SLOT",
          "PLUGIN",
          "DATABASE",
          "STATE",
          "CONFIRMED_FLUSH",
          "LAG",
          "RETAINED",
          "WAL_STATUS");
      for (Db.SlotRow r : rows) {
        io.out.printf(
            Locale.ROOT,
            fmt,
            r.name(),
            Format.orDash(r.plugin()),
            Format.orDash(r.database()),
            r.state(),
            Format.orDash(r.confirmedFlushLsn()),
            r.lagBytes() == null ? "-" : Format.bytes(r.lagBytes()),
            r.retainedBytes() == null ? "-" : Format.bytes(r.retainedBytes()),
            Format.orDash(r.walStatus()));
      }
      return 0;
    }
  }

  /** Creating a slot, telling the person when it waits for open transactions. */
  static final class SlotCreation {
    private SlotCreation() {}

    record Result(String lsn, long waitedNanos) {}

    /**
     * Creates {@code name} with pgoutput. A logical slot cannot finish its initial snapshot while
     * transactions that began before it are still open, so creation can block for as long as the
     * oldest of them lasts; after two seconds this says which session it waits for.
     */
    static Result create(Connection c, SourceSettings s, String name, Io io, boolean tellWaits)
        throws SQLException {
      long t0 = System.nanoTime();
      Thread watcher = null;
      if (tellWaits) {
        int ownPid = pid(c);
        watcher = new Thread(() -> explainWait(s, ownPid, io), "slotkeeper-slot-create-watch");
        watcher.setDaemon(true);
        watcher.start();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')")) {
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          return new Result(rs.getString(1), System.nanoTime() - t0);
        }
      } finally {
        if (watcher != null) {
          watcher.interrupt();
        }
      }
    }

    private static int pid(Connection c) throws SQLException {
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_backend_pid()");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }

    private static void explainWait(SourceSettings s, int creatorPid, Io io) {
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        return;
      }
      try (Connection c = Db.connect(s);
          PreparedStatement ps =
              c.prepareStatement(
                  "SELECT pid, state, extract(epoch FROM now() - xact_start)::int FROM pg_stat_activity"
                      + " WHERE backend_xid IS NOT NULL AND pid <> ? AND pid <> pg_backend_pid() ORDER BY xact_start LIMIT 1")) {
        ps.setInt(1, creatorPid);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next() && !Thread.currentThread().isInterrupted()) {
            io.note(
                "slot creation is waiting for open transactions to finish (oldest: PID "
                    + rs.getInt(1)
                    + ", "
                    + rs.getString(2)
                    + " for "
                    + rs.getInt(3)
                    + " s); it completes when they commit or roll back");
          }
        }
      } catch (RuntimeException | SQLException e) {
        // Only an explanation; the creation itself reports real errors.
      }
    }
  }
}
