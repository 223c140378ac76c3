package io.slotkeeper.cli;

import io.slotkeeper.SourceSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    usageHelpAutoWidth = true,
    description =
        "Shows a slot as the server sees it: who streams from it, how far it is confirmed, how much WAL it"
            + " holds back. Plain SQL; works while another process streams.")
final class StatusCommand implements Callable<Integer> {
  private final Io io;

  @Mixin CommonOptions common;
  @Mixin ConnectionOptions connection;
  @Mixin SlotNameOptions slotName;

  @Option(names = "--json", description = "One JSON object, for machines.")
  boolean json;

  StatusCommand(Io io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    SourceSettings s = CliConfig.load(connection.config, io).connection(connection, io);
    String slotName = this.slotName.resolve(s);
    Db.SlotRow r;
    String version;
    try (Connection c = Db.connect(s)) {
      List<Db.SlotRow> rows = Db.slots(c, slotName);
      if (rows.isEmpty()) {
        throw CliException.runtime(
            "replication slot \""
                + slotName
                + "\" does not exist on "
                + CliConfig.hostPort(s.connection().url()),
            "check the name (slotkeeper slot list), or create it: slotkeeper slot"
                + " create "
                + slotName);
      }
      r = rows.get(0);
      version = Db.serverVersion(c);
    } catch (SQLException e) {
      throw Db.explain(e, s);
    }
    if (json) {
      Map<String, Object> m = r.toJson();
      m.put("server_version", version);
      io.out.println(Json.write(m));
      return 0;
    }
    String state = r.state();
    String detail =
        switch (state) {
          case "active" ->
              "streaming to PID "
                  + r.activePid()
                  + (r.holder() == null || r.holder().isEmpty() ? "" : " (" + r.holder() + ")");
          case "lost" -> "invalidated: the WAL it needed was removed; drop and re-create it";
          default -> "no consumer connected; the slot keeps WAL until one confirms it";
        };
    String fmt = "  %-16s %s%n";
    io.out.printf(
        Locale.ROOT, "slot %s  (database %s, PostgreSQL %s)%n", r.name(), r.database(), version);
    io.out.printf(Locale.ROOT, fmt, "state", state + ": " + detail);
    io.out.printf(Locale.ROOT, fmt, "plugin", r.plugin() + " (" + r.slotType() + ")");
    io.out.printf(Locale.ROOT, fmt, "confirmed_flush", Format.orDash(r.confirmedFlushLsn()));
    io.out.printf(Locale.ROOT, fmt, "restart_lsn", Format.orDash(r.restartLsn()));
    io.out.printf(Locale.ROOT, fmt, "current WAL", Format.orDash(r.currentWalLsn()));
    io.out.printf(
        Locale.ROOT,
        fmt,
        "lag",
        r.lagBytes() == null
            ? "-"
            : Format.bytes(r.lagBytes()) + "  (current WAL - confirmed_flush)");
    io.out.printf(
        Locale.ROOT,
        fmt,
        "retained WAL",
        r.retainedBytes() == null
            ? "-"
            : Format.bytes(r.retainedBytes()) + "  (current WAL - restart_lsn)");
    io.out.printf(
        Locale.ROOT,
        fmt,
        "wal_status",
        Format.orDash(r.walStatus())
            + (r.safeWalSize() == null
                ? ""
                : "  (" + Format.bytes(r.safeWalSize()) + " more before it is at risk)"));
    return 0;
  }
}
