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
    StreamSettings.Streaming streaming =
        ProtocolVersions.streaming(settings.stream(), facts.majorVersion());
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

  /**
   * A logical slot on a standby needs hot_standby_feedback: without it the primary's VACUUM removes
   * catalog rows the slot still needs, and replaying that cleanup invalidates the slot (a recovery
   * conflict, {@code rows_removed}), after which it can never stream again. Checked after the slot
   * was read, so a slot already invalidated reports that (the more precise reason) instead.
   */
  static void checkStandbyFeedback(ServerFacts facts, SlotInfo slot) {
    if (!facts.inRecovery() || facts.hotStandbyFeedback() || (slot != null && slot.invalidated())) {
      return;
    }
    throw fatal(
        FailureKind.CONFIGURATION,
        "the server is a standby running with hot_standby_feedback = off: the primary's VACUUM"
            + " would remove catalog rows a logical slot here still needs, and the standby would"
            + " invalidate the slot (rows_removed)",
        "on the standby run ALTER SYSTEM SET hot_standby_feedback = on; SELECT pg_reload_conf();"
            + " (with primary_slot_name set, so the primary keeps honouring it while the standby is"
            + " disconnected)");
  }

  /** pgoutput options that exist only from some version on: refused before START_REPLICATION. */
  static void checkOptions(ServerFacts facts, SourceSettings settings) {
    if (settings.stream().binary() && facts.majorVersion() < 14) {
      throw unsupportedOption(
          "binary = on", 14, facts, "set " + SourceSettings.CONFIG_PATH + ".binary = off");
    }
    if (settings.stream().origin() == StreamSettings.OriginFilter.NONE
        && facts.majorVersion() < 16) {
      throw unsupportedOption(
          "origin = none", 16, facts, "set " + SourceSettings.CONFIG_PATH + ".origin = any");
    }
    checkTwoPhase(facts, settings);
  }

  /**
   * The slot decodes prepared transactions but the source did not ask for it: pgoutput keeps
   * sending them as such ("it remains enabled if the previous start-up has done so", pgoutput.c),
   * whatever START_REPLICATION says, so the consumer would get PREPARE envelopes it did not ask
   * for.
   */
  static ClassifiedException twoPhaseSlotWithoutTwoPhase(SourceSettings settings) {
    return fatal(
        FailureKind.CONFIGURATION,
        "slot "
            + settings.slot().name()
            + " decodes prepared transactions at PREPARE (pg_replication_slots.two_phase is true),"
            + " but "
            + SourceSettings.CONFIG_PATH
            + ".slot.two-phase is off",
        "set "
            + SourceSettings.CONFIG_PATH
            + ".slot.two-phase = on, or stream from a slot created without two_phase (drop and"
            + " re-create this one: changes not yet confirmed on it are then lost)");
  }

  /**
   * Two-phase decoding: pgoutput takes {@code two_phase} from PostgreSQL 15 (protocol version 3); a
   * 14 server would create a TWO_PHASE slot and then refuse the option at START_REPLICATION.
   */
  private static void checkTwoPhase(ServerFacts facts, SourceSettings settings) {
    if (!settings.slot().twoPhase()) {
      return;
    }
    if (facts.majorVersion() < 15) {
      throw fatal(
          FailureKind.CONFIGURATION,
          "slot.two-phase = on ("
              + SourceSettings.CONFIG_PATH
              + ".slot.two-phase) needs PostgreSQL 15 or later (pgoutput's two_phase option,"
              + " protocol version 3), but the server runs PostgreSQL "
              + facts.majorVersion(),
          "set "
              + SourceSettings.CONFIG_PATH
              + ".slot.two-phase = off (prepared transactions then arrive as ordinary transactions"
              + " at COMMIT PREPARED), or upgrade the server to PostgreSQL 15 or later");
    }
  }

  private static ClassifiedException unsupportedOption(
      String option, int needs, ServerFacts facts, String fix) {
    return fatal(
        FailureKind.CONFIGURATION,
        "the pgoutput option "
            + option
            + " ("
            + SourceSettings.CONFIG_PATH
            + "."
            + option.substring(0, option.indexOf(' '))
            + ") needs PostgreSQL "
            + needs
            + " or later, but the server runs PostgreSQL "
            + facts.majorVersion(),
        fix + ", or upgrade the server to PostgreSQL " + needs + " or later");
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

  /**
   * CREATE PUBLICATION refused for lack of privilege: it needs CREATE on the database and ownership
   * of every table named (FOR ALL TABLES: superuser), which a streaming role does not need and
   * should not have. The fix is to create it once as the tables' owner.
   */
  static ClassifiedException publicationNotCreatable(
      String publication, SourceSettings settings, SQLException cause) {
    String role = settings.connection().user();
    List<String> tables = settings.publication().tables();
    String who = tables.isEmpty() ? "a superuser" : "the owner of " + String.join(", ", tables);
    String target = tables.isEmpty() ? "FOR ALL TABLES" : "FOR TABLE " + String.join(", ", tables);
    return new ClassifiedException(
        new Classification(
            ErrorClass.FATAL,
            "role "
                + role
                + " may not create publication "
                + publication
                + " ("
                + cause.getMessage()
                + ")",
            "run once as "
                + who
                + ": CREATE PUBLICATION "
                + ReplicationSession.quoteIdent(publication)
                + " "
                + target
                + "; then turn "
                + SourceSettings.CONFIG_PATH
                + ".publication.create-if-missing off (creating it needs CREATE on the database and"
                + " ownership of the tables, which streaming does not)",
            FailureKind.PRIVILEGE),
        cause);
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
                + "): "
                + invalidationCause(slot)
                + ", so changes after its last confirmed position "
                + slot.confirmedFlushLsn()
                + " can no longer be streamed",
            "drop and re-create the slot (SELECT pg_drop_replication_slot('"
                + name
                + "');) and re-sync the consumer"
                + " from a snapshot, or set "
                + SourceSettings.CONFIG_PATH
                + ".slot.on-invalidated = recreate;"
                + (slot.invalidationReason() == null
                        || "wal_removed".equals(slot.invalidationReason())
                    ? " raise max_slot_wal_keep_size to make this less likely"
                    : " see the cause above to make this less likely"),
            FailureKind.SLOT_INVALIDATED,
            slot.confirmedFlushLsn(),
            null),
        cause);
  }

  /** What made the server invalidate the slot, from its reason (17+) or WAL status. */
  private static String invalidationCause(SlotInfo slot) {
    String reason = slot.invalidationReason() == null ? "" : slot.invalidationReason();
    return switch (reason) {
      case "rows_removed" ->
          "the primary's VACUUM removed catalog rows it needed (a recovery conflict on a standby:"
              + " hot_standby_feedback was off, or the standby had no physical slot on the primary"
              + " while disconnected)";
      case "wal_level_insufficient" ->
          "the primary's wal_level went below logical (its WAL no longer holds what decoding"
              + " needs)";
      case SlotInfo.RECOVERY_CONFLICT ->
          "a recovery conflict on this standby (pg_replication_slots.conflicting): the primary's"
              + " VACUUM removed catalog rows it needed (hot_standby_feedback off) or the primary's"
              + " wal_level went below logical";
      case "idle_timeout" -> "it stayed unused longer than idle_replication_slot_timeout";
      default -> "the WAL it needed was removed";
    };
  }

  /**
   * The slot is missing on a server the source reached after a promotion (a timeline later than it
   * streamed on), and create-if-missing is off: the slot stayed behind on the old primary.
   */
  static ClassifiedException slotLostInFailover(
      SourceSettings settings, int timelineBefore, int timelineNow) {
    String name = settings.slot().name();
    return fatal(
        FailureKind.MISSING_OBJECT,
        "replication slot \""
            + name
            + "\" did not survive the failover: this server is on timeline "
            + timelineNow
            + " (the source streamed on timeline "
            + timelineBefore
            + " before) and has no such slot. Only a failover slot synchronized to the standby"
            + " survives a promotion (PostgreSQL 17+: "
            + SourceSettings.CONFIG_PATH
            + ".slot.failover = on, sync_replication_slots on the standby, synchronized_standby_slots"
            + " on the primary)",
        "changes committed after the last acknowledged one may be lost to this consumer: resync it"
            + " from the tables, then create the slot (SELECT pg_create_logical_replication_slot('"
            + name
            + "', 'pgoutput');) or set "
            + SourceSettings.CONFIG_PATH
            + ".slot.create-if-missing = on, which creates it and announces RESYNC_REQUIRED");
  }

  private static ClassifiedException fatal(FailureKind kind, String problem, String remediation) {
    return new ClassifiedException(
        new Classification(ErrorClass.FATAL, problem, remediation, kind), null);
  }
}
