package io.slotkeeper.internal.connection;

import io.slotkeeper.FailureKind;
import io.slotkeeper.SlotSettings;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StreamSettings;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import io.slotkeeper.internal.supervision.SqlStates;
import java.sql.SQLException;
import java.util.List;

/**
 * The checks a connection runs before it streams. Each failure is FATAL and says how to fix it:
 * these are configuration problems that no amount of reconnecting repairs.
 */
final class SetupChecks {
  private SetupChecks() {}

  static void checkServer(ServerFacts facts, SourceSettings settings) {
    if (!"logical".equals(facts.walLevel())) {
      throw fatal(
          FailureKind.WAL_LEVEL,
          "the server runs with wal_level = "
              + facts.walLevel()
              + ", but logical replication needs wal_level = logical",
          "run ALTER SYSTEM SET wal_level = logical; and restart the PostgreSQL server");
    }
    if (facts.inRecovery() && facts.majorVersion() < 16) {
      throw fatal(
          FailureKind.CONFIGURATION,
          "the server is a standby running PostgreSQL "
              + facts.majorVersion()
              + ", and logical decoding on a standby needs PostgreSQL 16 or newer",
          "connect the source to the primary ("
              + SourceSettings.CONFIG_PATH
              + ".url), or upgrade the standby and its primary to PostgreSQL 16 or newer");
    }
    // Checked here, before START_REPLICATION, so the reason can name the server's version.
    int highest = ProtocolVersions.highestSupported(facts.majorVersion());
    StreamSettings.Streaming streaming = settings.stream().streaming();
    int streamingNeeds = ProtocolVersions.needed(streaming);
    if (streamingNeeds > highest) {
      int server = ProtocolVersions.firstServerFor(streamingNeeds);
      throw fatal(
          FailureKind.PROTOCOL_VERSION,
          "streaming = "
              + streaming.name().toLowerCase(java.util.Locale.ROOT)
              + " ("
              + SourceSettings.CONFIG_PATH
              + ".streaming) needs PostgreSQL "
              + server
              + " or later, but the server runs PostgreSQL "
              + facts.majorVersion(),
          "set "
              + SourceSettings.CONFIG_PATH
              + ".streaming = "
              + (highest >= 2 ? "on or off" : "off")
              + ", or upgrade the server to PostgreSQL "
              + server
              + " or later");
    }
    if (settings.stream().protoVersion() > highest) {
      throw fatal(
          FailureKind.PROTOCOL_VERSION,
          "pgoutput protocol version "
              + settings.stream().protoVersion()
              + " ("
              + SourceSettings.CONFIG_PATH
              + ".proto-version) needs PostgreSQL "
              + ProtocolVersions.firstServerFor(settings.stream().protoVersion())
              + " or later, but the server runs PostgreSQL "
              + facts.majorVersion(),
          ProtocolVersions.fix(settings.stream().protoVersion(), highest));
    }
  }

  static void checkPublications(List<String> missing, ServerFacts facts, SourceSettings settings) {
    if (missing.isEmpty()) {
      return;
    }
    String names = String.join(", ", missing);
    throw fatal(
        FailureKind.MISSING_OBJECT,
        (missing.size() == 1 ? "publication " : "publications ")
            + names
            + (missing.size() == 1 ? " does" : " do")
            + " not exist in database "
            + facts.database(),
        "create it as the table owner, e.g. CREATE PUBLICATION "
            + ReplicationSession.quoteIdent(missing.get(0))
            + " FOR TABLE <tables>; (or FOR ALL TABLES as a superuser), or correct "
            + SourceSettings.CONFIG_PATH
            + ".publications");
  }

  static void checkSlot(SlotInfo slot, ServerFacts facts, SourceSettings settings) {
    String name = settings.slot().name();
    if (slot == null) {
      throw fatal(
          FailureKind.MISSING_OBJECT,
          "replication slot \"" + name + "\" does not exist",
          "create it with SELECT pg_create_logical_replication_slot('"
              + name
              + "', 'pgoutput'); or set "
              + SourceSettings.CONFIG_PATH
              + ".slot.create-if-missing = on");
    }
    if (!"logical".equals(slot.slotType()) || !"pgoutput".equals(slot.plugin())) {
      throw fatal(
          FailureKind.CONFIGURATION,
          "replication slot \""
              + name
              + "\" is a "
              + slot.slotType()
              + " slot"
              + (slot.plugin() == null ? "" : " with plugin " + slot.plugin())
              + ", not a logical pgoutput slot",
          "use a slot created with the pgoutput plugin, or drop this one: SELECT pg_drop_replication_slot('"
              + name
              + "');");
    }
    if (!facts.database().equals(slot.database())) {
      throw fatal(
          FailureKind.CONFIGURATION,
          "replication slot \""
              + name
              + "\" belongs to database "
              + slot.database()
              + ", not "
              + facts.database(),
          "connect to database " + slot.database() + " or use another slot name");
    }
    if (slot.invalidated()) {
      throw invalidated(slot, settings, null);
    }
  }

  /**
   * START_REPLICATION refused: a slot invalidated since the check ("can no longer get changes",
   * "has been invalidated") is fatal under on-invalidated = fail and transient under recreate, so
   * the next connection re-creates it; everything else is classified as usual.
   */
  static Exception classifyStartFailure(SQLException e, SlotInfo slot, SourceSettings settings) {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    boolean invalidated =
        SqlStates.OBJECT_NOT_IN_PREREQUISITE_STATE.equals(e.getSQLState())
            && (msg.contains("can no longer get changes") || msg.contains("invalidated"));
    if (!invalidated) {
      return e;
    }
    if (settings.slot().onInvalidated() == SlotSettings.OnInvalidated.RECREATE) {
      return new ClassifiedException(
          ErrorClass.TRANSIENT,
          "replication slot \""
              + settings.slot().name()
              + "\" was invalidated while connecting; it will be re-created",
          null,
          e);
    }
    return invalidated(slot, settings, e);
  }

  /** The FATAL error for an invalidated slot under {@code on-invalidated = fail}. */
  static ClassifiedException invalidated(SlotInfo slot, SourceSettings settings, Throwable cause) {
    String name = settings.slot().name();
    return new ClassifiedException(
        new Classification(
            ErrorClass.FATAL,
            "replication slot \""
                + name
                + "\" has been invalidated ("
                + slot.invalidationDescription()
                + "): the WAL it needed was removed, so changes after its last confirmed position "
                + slot.confirmedFlushLsn()
                + " can no longer be streamed",
            "drop and re-create the slot (SELECT pg_drop_replication_slot('"
                + name
                + "');) and re-sync the consumer"
                + " from a snapshot, or set "
                + SourceSettings.CONFIG_PATH
                + ".slot.on-invalidated = recreate;"
                + " raise max_slot_wal_keep_size to make this less likely",
            FailureKind.SLOT_INVALIDATED,
            slot.confirmedFlushLsn(),
            null),
        cause);
  }

  private static ClassifiedException fatal(FailureKind kind, String problem, String remediation) {
    return new ClassifiedException(
        new Classification(ErrorClass.FATAL, problem, remediation, kind), null);
  }
}
