package io.slotkeeper.cli;

import io.slotkeeper.SourceSettings;
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
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "slot",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    description = "Slot chores: create, drop, list.",
    subcommands = {SlotCommand.Create.class, SlotCommand.Drop.class, SlotCommand.ListSlots.class})
final class SlotCommand implements Callable<Integer> {
  private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

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

  /** A slot name from the positional argument, --slot or the file's slot-name, checked. */
  static String slotName(String positional, String flag, SourceSettings fromFile) {
    String name = positional != null ? positional : flag != null ? flag : fromFile.slot().name();
    if (name == null || name.isEmpty()) {
      throw CliException.usage(
          "no slot name given", "name it: slotkeeper slot create NAME (or --slot NAME)");
    }
    if (!SLOT_NAME.matcher(name).matches()) {
      throw CliException.usage(
          "'" + name + "' is not a valid slot name",
          "use 1 to 63 lower-case letters, digits or underscores");
    }
    return name;
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

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Slot name.")
    String name;

    @Option(names = "--slot", paramLabel = "NAME", description = "Slot name (instead of NAME).")
    String slot;

    Create(Io io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      SourceSettings s = CliConfig.load(connection.config, io).connection(connection, io);
      String slotName = slotName(name, slot, s);
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

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Slot name.")
    String name;

    @Option(names = "--slot", paramLabel = "NAME", description = "Slot name (instead of NAME).")
    String slot;

    Drop(Io io) {
      this.io = io;
    }

    @Override
    public Integer call() {
      SourceSettings s = CliConfig.load(connection.config, io).connection(connection, io);
      String slotName = slotName(name, slot, s);
      try (Connection c = Db.connect(s);
          PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
        ps.setString(1, slotName);
        ps.execute();
        io.out.println("dropped replication slot " + slotName);
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
          Map<String, Object> m = r.toJson();
          m.put("state", StatusCommand.state(r));
          out.add(m);
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
            nz(r.plugin()),
            nz(r.database()),
            StatusCommand.state(r),
            nz(r.confirmedFlushLsn()),
            r.lagBytes() == null ? "-" : Format.bytes(r.lagBytes()),
            r.retainedBytes() == null ? "-" : Format.bytes(r.retainedBytes()),
            nz(r.walStatus()));
      }
      return 0;
    }

    private static String nz(String s) {
      return s == null ? "-" : s;
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
