package io.slotkeeper.internal;

import io.slotkeeper.InternalApi;
import io.slotkeeper.pgoutput.PgOutputDecodeException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sorts errors into {@link ErrorClass}es and words them for a person. Unknown errors count as
 * transient: a long-running engine should keep trying rather than give up on a surprise, and the
 * back-off keeps the cost of trying low.
 */
@InternalApi
public final class ErrorClassifier {

  /** The class of an error and the reason to show in the status. */
  public record Classification(ErrorClass errorClass, String reason) {}

  private static final Pattern SEVERITY = Pattern.compile("^(FATAL|ERROR|PANIC):\\s+");
  private static final Pattern ACTIVE_PID = Pattern.compile("is active for PID (\\d+)");
  private static final Pattern PROTO_VERSION_REFUSED =
      Pattern.compile("proto_version=(\\d+) but .*protocol (\\d+) or lower");

  private ErrorClassifier() {}

  public static Classification classify(Throwable error, String user, String database) {
    Throwable t = error;
    while (t != null) {
      if (t instanceof ClassifiedException c) {
        return new Classification(c.errorClass(), c.getMessage());
      }
      if (t instanceof PgOutputDecodeException d) {
        return new Classification(ErrorClass.FATAL, "the server sent bytes that are not valid pgoutput: "
            + d.getMessage() + ". Fix: check that the slot uses the pgoutput plugin; if it does, report this as a bug"
            + " with the server version");
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        Classification c = bySqlState(sql, user, database);
        if (c != null) {
          return c;
        }
      }
      if (t instanceof IOException) {
        return new Classification(ErrorClass.TRANSIENT, describe(error));
      }
      t = t.getCause() == t ? null : t.getCause();
    }
    return new Classification(ErrorClass.TRANSIENT, describe(error));
  }

  private static Classification bySqlState(SQLException e, String user, String database) {
    String state = e.getSQLState();
    String msg = firstLine(e.getMessage());
    switch (state) {
      case "28P01":
        return fatal(msg, "check the password for role \"" + user
            + "\" (slotkeeper.source.password, or PGPASSWORD for the command-line program)");
      case "28000":
        return fatal(msg, "allow the role to connect for replication in pg_hba.conf, e.g. "
            + "'host replication " + user + " <client-address>/32 scram-sha-256' (and the same line for database "
            + database + "), then reload the server");
      case "3D000":
        return fatal(msg, "create database \"" + database + "\" or correct the database in the JDBC URL");
      case "42501":
        if (msg.contains("WAL sender") || msg.contains("walsender") || msg.contains("replication role")) {
          return fatal(msg, "grant the REPLICATION attribute: ALTER ROLE " + user + " WITH REPLICATION;");
        }
        return fatal(msg, "grant role \"" + user + "\" the privilege named in the error");
      case "55006": {
        Matcher m = ACTIVE_PID.matcher(msg);
        String holder = m.find() ? " (held by PID " + m.group(1) + ")" : "";
        return new Classification(ErrorClass.BUSY, "waiting for the replication slot to be free" + holder + ": " + msg);
      }
      case "55000":
        return fatal(msg, "see the server's message; for wal_level set wal_level = logical and restart the server");
      case "0A000": {
        // "client sent proto_version=2 but we (13) / server (14+) only support(s) protocol 1 or lower":
        // a setting the server will never accept, so reconnecting cannot help.
        Matcher m = PROTO_VERSION_REFUSED.matcher(msg);
        if (m.find()) {
          return fatal(msg, ProtocolVersions.fix(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
        }
        return null;
      }
      case "42704":
        return fatal(msg, "create the missing object named in the error");
      default:
        if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")) {
          return new Classification(ErrorClass.TRANSIENT, msg);
        }
        return null;
    }
  }

  private static Classification fatal(String problem, String fix) {
    return new Classification(ErrorClass.FATAL, problem + ". Fix: " + fix);
  }

  private static String describe(Throwable t) {
    String msg = t.getMessage();
    return msg == null ? t.getClass().getSimpleName() : firstLine(msg);
  }

  /** The first line of a message, without the server's severity prefix ("FATAL: ", "ERROR: "). */
  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return SEVERITY.matcher(line).replaceFirst("");
  }
}
