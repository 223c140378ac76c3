package io.slotkeeper.internal.supervision;

import static io.slotkeeper.internal.supervision.SqlStates.CONFIGURATION_LIMIT_EXCEEDED;
import static io.slotkeeper.internal.supervision.SqlStates.CONNECTION_EXCEPTION_CLASS;
import static io.slotkeeper.internal.supervision.SqlStates.FEATURE_NOT_SUPPORTED;
import static io.slotkeeper.internal.supervision.SqlStates.INSUFFICIENT_PRIVILEGE;
import static io.slotkeeper.internal.supervision.SqlStates.INSUFFICIENT_RESOURCES_CLASS;
import static io.slotkeeper.internal.supervision.SqlStates.INVALID_AUTHORIZATION_SPECIFICATION;
import static io.slotkeeper.internal.supervision.SqlStates.INVALID_CATALOG_NAME;
import static io.slotkeeper.internal.supervision.SqlStates.INVALID_PASSWORD;
import static io.slotkeeper.internal.supervision.SqlStates.OBJECT_IN_USE;
import static io.slotkeeper.internal.supervision.SqlStates.OBJECT_NOT_IN_PREREQUISITE_STATE;
import static io.slotkeeper.internal.supervision.SqlStates.OPERATOR_INTERVENTION_CLASS;
import static io.slotkeeper.internal.supervision.SqlStates.TOO_MANY_CONNECTIONS;
import static io.slotkeeper.internal.supervision.SqlStates.UNDEFINED_OBJECT;

import io.slotkeeper.FailureKind;
import io.slotkeeper.InternalApi;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.internal.connection.ProtocolVersions;
import io.slotkeeper.pgoutput.PgOutputDecodeException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sorts errors into {@link ErrorClass}es and words them for a person, keeping the problem, its fix
 * and its {@link FailureKind} apart ({@link Classification}). Unknown errors count as transient: a
 * long-running engine should keep trying rather than give up on a surprise, and the back-off keeps
 * the cost of trying low.
 */
@InternalApi
public final class ErrorClassifier {

  private static final Pattern SEVERITY = Pattern.compile("^(FATAL|ERROR|PANIC):\\s+");
  private static final Pattern TLS_HOST_MISMATCH =
      Pattern.compile("The hostname (\\S+) could not be verified by hostnameverifier");
  private static final Pattern ACTIVE_PID = Pattern.compile("is active for PID (\\d+)");
  private static final Pattern PROTO_VERSION_REFUSED =
      Pattern.compile("proto_version=(\\d+) but .*protocol (\\d+) or lower");

  private ErrorClassifier() {}

  public static Classification classify(Throwable error, String user, String database) {
    Throwable untrusted = untrustedCertificate(error);
    if (untrusted != null) {
      // Looked for first: the chain holds an SSLHandshakeException (an IOException, which alone
      // would read as a lost connection) above it. The certificate will not be signed by another
      // CA on the next attempt either.
      return fatal(
          "the server's TLS certificate is not signed by a certificate authority in sslrootcert"
              + " (sslmode=verify-ca or verify-full): "
              + firstLine(untrusted.getMessage()),
          "point sslrootcert at the CA certificate that signed the server's certificate (its"
              + " chain), or use sslmode=require to encrypt without verifying the server",
          FailureKind.CONFIGURATION);
    }
    Throwable t = error;
    while (t != null) {
      if (t instanceof ClassifiedException c) {
        return c.classification();
      }
      if (t instanceof PgOutputDecodeException d) {
        return new Classification(
            ErrorClass.FATAL,
            "the server sent bytes that are not valid pgoutput: " + d.getMessage(),
            "check that the slot uses the pgoutput plugin; if it does, report this as a bug"
                + " with the server version",
            FailureKind.INVALID_STREAM);
      }
      if (t instanceof SQLException sql
          && sql.getMessage() != null
          && sql.getMessage().toLowerCase(java.util.Locale.ROOT).contains("channel binding")) {
        return fatal(
            "channel binding is required (channelBinding=require) but this connection cannot"
                + " provide it: "
                + firstLine(sql.getMessage()),
            "connect over TLS (sslmode=require or stronger) to a server that offers"
                + " SCRAM-SHA-256-PLUS (the role's password stored as SCRAM, a hostssl ..."
                + " scram-sha-256 line in pg_hba.conf), or drop channelBinding=require",
            FailureKind.CONFIGURATION);
      }
      if (t instanceof SQLException sql && sql.getMessage() != null) {
        Matcher host = TLS_HOST_MISMATCH.matcher(sql.getMessage());
        if (host.find()) {
          // pgjdbc says this with the generic 08006 (connection failure), so only its words tell;
          // a retry cannot help, as the certificate will not change its names.
          return fatal(
              "the server's TLS certificate does not hold the host name "
                  + host.group(1)
                  + " (sslmode=verify-full)",
              "connect by a host name the certificate holds (its subject alternative names) in the"
                  + " url, or use sslmode=verify-ca to verify the certificate's authority but not"
                  + " its host name",
              FailureKind.CONFIGURATION);
        }
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        Classification c = bySqlState(sql, user, database);
        if (c != null) {
          return c;
        }
      }
      if (t instanceof IOException) {
        return transientError(describe(error));
      }
      t = t.getCause() == t ? null : t.getCause();
    }
    return transientError(describe(error));
  }

  private static Classification bySqlState(SQLException e, String user, String database) {
    String state = e.getSQLState();
    String msg = firstLine(e.getMessage());
    if (msg != null && msg.contains("unrecognized pgoutput option: streaming")) {
      // PostgreSQL 13's pgoutput (an elog, XX000) when asked for streaming: a setting the server
      // will never accept, so reconnecting cannot help.
      return fatal(
          msg,
          "set "
              + SourceSettings.CONFIG_PATH
              + ".streaming = off, or upgrade the server to PostgreSQL 14 or later",
          FailureKind.PROTOCOL_VERSION);
    }
    Classification limit = serverLimit(state, msg);
    if (limit != null) {
      return limit;
    }
    switch (state) {
      case INVALID_PASSWORD:
        return fatal(
            msg,
            "check the password for role \""
                + user
                + "\" (slotkeeper.source.password, or PGPASSWORD for the command-line program)",
            FailureKind.AUTHENTICATION);
      case INVALID_AUTHORIZATION_SPECIFICATION:
        return fatal(
            msg,
            "allow the role to connect for replication in pg_hba.conf, e.g. "
                + "'host replication "
                + user
                + " <client-address>/32 scram-sha-256' (and the same line for database "
                + database
                + "), then reload the server",
            FailureKind.AUTHENTICATION);
      case INVALID_CATALOG_NAME:
        return fatal(
            msg,
            "create database \"" + database + "\" or correct the database in the JDBC URL",
            FailureKind.MISSING_OBJECT);
      case INSUFFICIENT_PRIVILEGE:
        if (msg.contains("WAL sender")
            || msg.contains("walsender")
            || msg.contains("replication role")) {
          return fatal(
              msg,
              "grant the REPLICATION attribute: ALTER ROLE " + user + " WITH REPLICATION;",
              FailureKind.PRIVILEGE);
        }
        return fatal(
            msg,
            "grant role \"" + user + "\" the privilege named in the error",
            FailureKind.PRIVILEGE);
      case OBJECT_IN_USE:
        {
          // The server's words are the only place it names the holder: "... is active for PID n".
          Matcher m = ACTIVE_PID.matcher(msg);
          boolean named = m.find();
          String holder = named ? " (held by PID " + m.group(1) + ")" : "";
          return new Classification(
              ErrorClass.BUSY,
              "waiting for the replication slot to be free" + holder + ": " + msg,
              null,
              FailureKind.OTHER,
              null,
              named ? new Classification.SlotHolder(Integer.parseInt(m.group(1)), null) : null);
        }
      case OBJECT_NOT_IN_PREREQUISITE_STATE:
        // The server's words are the only thing telling this apart: a standby source (16+) whose
        // primary is not at wal_level = logical.
        if (msg.contains("wal_level") && msg.contains("on the primary")) {
          return fatal(
              msg,
              "set wal_level = logical on the primary (ALTER SYSTEM SET wal_level = logical; there)"
                  + " and restart the primary; the standby follows once it has replayed that",
              FailureKind.WAL_LEVEL);
        }
        return fatal(
            msg,
            "see the server's message; for wal_level set wal_level = logical and restart the server",
            msg.contains("wal_level") ? FailureKind.WAL_LEVEL : FailureKind.CONFIGURATION);
      case FEATURE_NOT_SUPPORTED:
        {
          // "client sent proto_version=2 but we (13) / server (14+) only support(s) protocol 1 or
          // lower":
          // a setting the server will never accept, so reconnecting cannot help.
          if (msg.contains("cannot be used while in recovery")) {
            // A standby before 16 cannot decode at all.
            return fatal(
                msg,
                "logical decoding on a standby needs PostgreSQL 16 or newer: connect the source to"
                    + " the primary, or upgrade",
                FailureKind.CONFIGURATION);
          }
          Matcher m = PROTO_VERSION_REFUSED.matcher(msg);
          if (m.find()) {
            return fatal(
                msg,
                ProtocolVersions.fix(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))),
                FailureKind.PROTOCOL_VERSION);
          }
          return null;
        }
      case UNDEFINED_OBJECT:
        return fatal(
            msg, "create the missing object named in the error", FailureKind.MISSING_OBJECT);
      default:
        if (state.startsWith(CONNECTION_EXCEPTION_CLASS)
            || state.startsWith(OPERATOR_INTERVENTION_CLASS)
            || state.startsWith(INSUFFICIENT_RESOURCES_CLASS)) {
          return transientError(msg);
        }
        return null;
    }
  }

  /**
   * A server-wide limit reached by others (every slot, walsender or connection taken): retried,
   * since someone may free one, with a reason that says which setting and how to free one.
   */
  private static Classification serverLimit(String state, String msg) {
    if (msg == null) {
      return null;
    }
    if (CONFIGURATION_LIMIT_EXCEEDED.equals(state) && msg.contains("replication slots")) {
      return transientWithFix(
          msg,
          "every slot allowed by max_replication_slots is taken; drop an unused one (see"
              + " SELECT slot_name, slot_type, active, wal_status FROM pg_replication_slots;"
              + " then SELECT pg_drop_replication_slot('name');) or raise max_replication_slots"
              + " (needs a server restart)",
          FailureKind.CONFIGURATION);
    }
    if (TOO_MANY_CONNECTIONS.equals(state) && msg.contains("max_wal_senders")) {
      return transientWithFix(
          msg,
          "every walsender allowed by max_wal_senders is taken; end an unused replication"
              + " connection (see SELECT pid, application_name, state FROM pg_stat_replication;)"
              + " or raise max_wal_senders (needs a server restart)",
          FailureKind.CONFIGURATION);
    }
    if (TOO_MANY_CONNECTIONS.equals(state) && msg.contains("too many clients")) {
      return transientWithFix(
          msg,
          "every connection allowed by max_connections is taken; end unused sessions (see"
              + " pg_stat_activity) or raise max_connections (needs a server restart)",
          FailureKind.CONFIGURATION);
    }
    return null;
  }

  private static Classification fatal(String problem, String fix, FailureKind kind) {
    return new Classification(ErrorClass.FATAL, problem, fix, kind);
  }

  /** Retried like any transient error, with a fix in the reason for whoever reads the status. */
  private static Classification transientWithFix(String problem, String fix, FailureKind kind) {
    return new Classification(ErrorClass.TRANSIENT, problem, fix, kind);
  }

  private static Classification transientError(String problem) {
    return new Classification(ErrorClass.TRANSIENT, problem, null, FailureKind.OTHER);
  }

  private static String describe(Throwable t) {
    String msg = t.getMessage();
    return msg == null ? t.getClass().getSimpleName() : firstLine(msg);
  }

  /** The first line of a message, without the server's severity prefix ("FATAL: ", "ERROR: "). */
  /** A certificate path that did not build or validate, anywhere in the chain, or null. */
  private static Throwable untrustedCertificate(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.security.cert.CertPathBuilderException
          || t instanceof java.security.cert.CertPathValidatorException) {
        return t;
      }
    }
    return null;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return SEVERITY.matcher(line).replaceFirst("");
  }
}
