package io.slotkeeper.internal.admin;

import io.slotkeeper.InternalApi;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.Waiting;
import io.slotkeeper.internal.connection.JdbcProperties;
import io.slotkeeper.internal.snapshot.SnapshotMarker;
import io.slotkeeper.internal.source.HeartbeatFilter;
import io.slotkeeper.internal.source.SourceState;
import io.slotkeeper.internal.status.StatusMonitor;
import io.slotkeeper.internal.supervision.SqlStates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Administrative work beside the stream, over ordinary JDBC connections: naming and healing the
 * blockers of a slot creation (the ConnectionActor's connection is busy inside
 * CREATE_REPLICATION_SLOT while creation waits, so someone else must look and act), reading the
 * slot's retention figures, writing heartbeats, and dropping the slot on stop when asked to. All of
 * it blocks on JDBC, so this actor runs on the blocking dispatcher, never on the connection
 * dispatcher whose threads the streaming connections need for their keepalives.
 *
 * <p>Heal: every {@code slot.creation.heal-interval} it names the blocking backends in the status
 * and runs {@code pg_log_standby_snapshot()} (PostgreSQL 16+, on the primary when the source is a
 * standby), which writes the running-transactions record the snapshot builder needs to become
 * consistent as soon as the blockers end. Every attempt and its outcome is counted; when the
 * function cannot be used, one warning per creation attempt says why and what to do.
 */
@InternalApi
public final class AdminActor extends AbstractBehavior<AdminActor.Command> {

  public interface Command {}

  /**
   * The connection {@code owner} is about to run CREATE_REPLICATION_SLOT from walsender {@code
   * walsenderPid}; {@code standby}: the server is in recovery, so creation waits for a
   * running-transactions record from its primary.
   */
  public record CreationStarted(
      ActorRef<?> owner, int walsenderPid, int serverVersionNum, boolean standby)
      implements Command {}

  /** Slot creation is over (done, failed, or its connection died). */
  public record CreationFinished(ActorRef<?> owner) implements Command {}

  /**
   * Drop the slot once it is no longer active (slot.drop-on-stop); completes when done or given up.
   */
  public record DropSlot(CompletableFuture<Void> done) implements Command {}

  /**
   * The consumer acknowledged something delivered after the initial snapshot: record the snapshot
   * as completed (drop its {@code SnapshotMarker}).
   */
  public enum SnapshotCompleted implements Command {
    INSTANCE
  }

  private enum HealTick implements Command {
    INSTANCE
  }

  private enum RetentionTick implements Command {
    INSTANCE
  }

  private enum HeartbeatTick implements Command {
    INSTANCE
  }

  private static final Logger log = LoggerFactory.getLogger(AdminActor.class);
  private static final int PG_LOG_STANDBY_SNAPSHOT_SINCE = 160000;
  private static final String PRIMARY_URL_KEY = SourceSettings.CONFIG_PATH + ".admin.primary-url";

  private final SourceSettings settings;
  private final SourceState state;
  private final ActorRef<StatusMonitor.Command> monitor;
  private final TimerScheduler<Command> timers;
  private final AdminConnection admin;
  private final AdminConnection primary;
  private CreationStarted creation;
  private long creationStartNanos;

  /** Which warnings this creation attempt has given: each kind once per attempt. */
  private final java.util.Set<String> warnedThisAttempt = new java.util.HashSet<>();

  private boolean terminatedThisAttempt;
  private String lastWalStatus = "reserved";
  private boolean safeSizeLow;
  private long lastDeliveredCount = -1;
  private long lastDeliveryNanos = System.nanoTime();

  public static Behavior<Command> create(
      SourceSettings settings, SourceState state, ActorRef<StatusMonitor.Command> monitor) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(timers -> new AdminActor(ctx, timers, settings, state, monitor)));
  }

  private AdminActor(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      SourceSettings settings,
      SourceState state,
      ActorRef<StatusMonitor.Command> monitor) {
    super(ctx);
    this.timers = timers;
    this.settings = settings;
    this.state = state;
    this.monitor = monitor;
    this.admin = new AdminConnection(settings.connection().url(), JdbcProperties.of(settings));
    this.primary =
        settings.admin().primaryUrl().isEmpty()
            ? admin
            : new AdminConnection(settings.admin().primaryUrl(), JdbcProperties.primary(settings));
    timers.startTimerWithFixedDelay(RetentionTick.INSTANCE, settings.retention().checkInterval());
    settings
        .heartbeat()
        .interval()
        .ifPresent(
            interval ->
                // Checking at half the interval keeps the silence before a heartbeat within 1.5
                // intervals.
                timers.startTimerWithFixedDelay(HeartbeatTick.INSTANCE, interval.dividedBy(2)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(CreationStarted.class, this::onCreationStarted)
        .onMessage(
            CreationFinished.class,
            m -> {
              if (creation != null && creation.owner().equals(m.owner())) {
                creation = null;
                timers.cancel(HealTick.INSTANCE);
              }
              return this;
            })
        .onMessageEquals(HealTick.INSTANCE, this::onHealTick)
        .onMessageEquals(RetentionTick.INSTANCE, this::onRetentionTick)
        .onMessageEquals(HeartbeatTick.INSTANCE, this::onHeartbeatTick)
        .onMessage(DropSlot.class, this::onDropSlot)
        .onMessageEquals(SnapshotCompleted.INSTANCE, this::onSnapshotCompleted)
        .onSignal(
            PostStop.class,
            s -> {
              admin.close();
              primary.close();
              return this;
            })
        .build();
  }

  private static final String RETENTION_QUERY =
      "SELECT s.wal_status, s.safe_wal_size,"
          + " (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END) - s.restart_lsn,"
          + " (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)"
          + "   - s.confirmed_flush_lsn,"
          + " (extract(epoch FROM r.flush_lag) * 1000)::bigint"
          + " FROM pg_replication_slots s LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid"
          + " WHERE s.slot_name = ?";

  /** Reads the slot's retention figures into the progress and warns when they turn bad. */
  private Behavior<Command> onRetentionTick() {
    try (PreparedStatement ps = admin.get().prepareStatement(RETENTION_QUERY)) {
      ps.setString(1, settings.slot().name());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return this;
        }
        String walStatus = rs.getString(1);
        long safe = rs.getLong(2);
        boolean safeKnown = !rs.wasNull();
        state.walStatus.set(walStatus == null ? "" : walStatus);
        state.safeWalSizeBytes.set(safeKnown ? safe : -1);
        state.retainedWalBytes.set(rs.getLong(3));
        state.lagBytes.set(rs.getLong(4));
        long lag = rs.getLong(5);
        state.lagMillis.set(rs.wasNull() ? -1 : lag);
        warnOnRetention(walStatus, safeKnown ? safe : -1);
      }
    } catch (SQLException e) {
      log.debug("slot {}: retention check failed: {}", settings.slot().name(), e.getMessage());
      admin.reset();
    }
    return this;
  }

  private void warnOnRetention(String walStatus, long safe) {
    if (walStatus != null && !walStatus.equals(lastWalStatus)) {
      if (!"reserved".equals(walStatus)) {
        log.warn(
            "slot {}: wal_status is now '{}' (was '{}'): the slot retains {} bytes of WAL{}; acknowledge"
                + " faster or raise max_slot_wal_keep_size, or the slot will be invalidated",
            settings.slot().name(),
            walStatus,
            lastWalStatus,
            state.retainedWalBytes.get(),
            safe >= 0 ? " and " + safe + " bytes remain before invalidation" : "");
      } else {
        log.info("slot {}: wal_status is back to 'reserved'", settings.slot().name());
      }
      lastWalStatus = walStatus;
    }
    boolean low = safe >= 0 && safe < settings.retention().safeWalSizeWarningBytes();
    if (low && !safeSizeLow) {
      log.warn(
          "slot {}: only {} bytes of WAL can still be written before the slot is invalidated"
              + " (safe_wal_size, warning below {} bytes)",
          settings.slot().name(),
          safe,
          settings.retention().safeWalSizeWarningBytes());
    }
    safeSizeLow = low;
  }

  /**
   * Writes a transactional logical message when nothing was delivered for a heartbeat interval, so
   * the slot of a quiet database on a busy cluster has something to confirm.
   */
  private Behavior<Command> onHeartbeatTick() {
    long delivered = state.deliveredEnvelopes.get();
    long now = System.nanoTime();
    if (delivered != lastDeliveredCount) {
      lastDeliveredCount = delivered;
      lastDeliveryNanos = now;
      return this;
    }
    if (now - lastDeliveryNanos < settings.heartbeat().interval().orElseThrow().toNanos()) {
      return this;
    }
    // The content marks it as ours, so the SourceActor's HeartbeatFilter tells it from a user's
    // message.
    try (PreparedStatement ps =
        admin.get().prepareStatement("SELECT pg_logical_emit_message(true, ?, ? || now()::text)")) {
      ps.setString(1, settings.heartbeat().prefix());
      ps.setString(2, HeartbeatFilter.contentFor(settings.slot().name()));
      ps.execute();
      lastDeliveryNanos = now;
    } catch (SQLException e) {
      log.debug("slot {}: heartbeat failed: {}", settings.slot().name(), e.getMessage());
      admin.reset();
    }
    return this;
  }

  private Behavior<Command> onSnapshotCompleted() {
    try {
      SnapshotMarker.drop(admin.get(), settings.slot().name());
      log.info(
          "slot {}: initial snapshot acknowledged by the consumer; recorded as completed",
          settings.slot().name());
    } catch (SQLException e) {
      // Left behind, the mark makes the next process take the snapshot again: redundant, not
      // wrong.
      log.warn(
          "slot {}: could not record the initial snapshot as completed: {}",
          settings.slot().name(),
          e.getMessage());
      admin.reset();
    }
    return this;
  }

  private Behavior<Command> onDropSlot(DropSlot m) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    try {
      Connection c = admin.get();
      // The walsender may take a moment to exit after our connection closed.
      while (true) {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
          ps.setString(1, settings.slot().name());
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
              m.done().complete(null);
              return this;
            }
            if (!rs.getBoolean(1) || System.nanoTime() > deadline) {
              break;
            }
          }
        }
        Thread.sleep(50);
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
        ps.setString(1, settings.slot().name());
        ps.execute();
      }
      // The mark of an unfinished snapshot (SnapshotMarker) stays: the consumer holds a partial
      // copy, and the next source of this name must announce RESYNC_REQUIRED before its new one.
      log.info(
          "slot {}: dropped ({})",
          settings.slot().name(),
          settings.slot().dropOnStop()
              ? "slot.drop-on-stop"
              : "its initial snapshot was not finished");
    } catch (SQLException e) {
      log.warn(
          "slot {}: could not drop the slot on stop: {}", settings.slot().name(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    m.done().complete(null);
    return this;
  }

  private Behavior<Command> onCreationStarted(CreationStarted m) {
    creation = m;
    creationStartNanos = System.nanoTime();
    warnedThisAttempt.clear();
    terminatedThisAttempt = false;
    // If the connection dies while creating, no CreationFinished comes: its end ends the healing.
    getContext().watchWith(m.owner(), new CreationFinished(m.owner()));
    timers.startTimerWithFixedDelay(
        HealTick.INSTANCE, settings.slot().healInterval(), settings.slot().healInterval());
    return this;
  }

  private Behavior<Command> onHealTick() {
    if (creation == null) {
      return this;
    }
    List<SlotCreationBlockers.Blocker> blockers = findBlockers();
    String outcome = heal(blockers);
    String waiting;
    if (creation.standby()) {
      // The standby's snapshot builder reads the primary's WAL: it needs a running-transactions
      // record written after the primary's transactions of that moment ended. pg_locks here
      // knows nothing of the primary's transactions.
      waiting =
          "the server is a standby, and creation waits for the primary to write a"
              + " running-transactions record after its running transactions end"
              + (healNeedsSetting().isPresent()
                  ? " (an idle primary writes none; set "
                      + PRIMARY_URL_KEY
                      + " to the primary's JDBC URL so that the heal runs"
                      + " pg_log_standby_snapshot() there)"
                  : "");
    } else {
      waiting =
          blockers.isEmpty()
              ? "waiting for the slot's snapshot to become consistent"
              : "waiting for running transactions to end: "
                  + SlotCreationBlockers.describe(blockers);
    }
    monitor.tell(
        new StatusMonitor.SetReason(
            "creating replication slot "
                + settings.slot().name()
                + ": "
                + waiting
                + "; heal attempts "
                + state.healAttempts.get()
                + " ("
                + outcome
                + ")",
            creationBlocked(blockers),
            getContext().getSelf()));
    warnIfDetailsHidden(blockers);
    maybeTerminate(blockers);
    return this;
  }

  /**
   * The same as the reason, in fields: who blocks, what the heal did, how long creation has waited.
   */
  private Waiting.CreationBlocked creationBlocked(List<SlotCreationBlockers.Blocker> blockers) {
    return new Waiting.CreationBlocked(
        blockers.stream().map(SlotCreationBlockers.Blocker::pid).toList(),
        new Waiting.HealOutcomes(
            state.healAttempts.get(),
            state.healSucceeded.get(),
            state.healUnavailable.get(),
            state.healFailed.get()),
        Duration.ofNanos(System.nanoTime() - creationStartNanos),
        creation.standby(),
        healNeedsSetting());
  }

  /** On a standby without a primary URL the heal has nowhere to run: name the setting. */
  private Optional<String> healNeedsSetting() {
    return creation.standby() && settings.admin().primaryUrl().isEmpty()
        ? Optional.of(PRIMARY_URL_KEY)
        : Optional.empty();
  }

  private List<SlotCreationBlockers.Blocker> findBlockers() {
    try {
      return SlotCreationBlockers.find(admin.get(), creation.walsenderPid());
    } catch (SQLException e) {
      log.debug(
          "slot {}: cannot look up slot-creation blockers: {}",
          settings.slot().name(),
          e.getMessage());
      admin.reset();
      return List.of();
    }
  }

  /**
   * One heal attempt; returns a short summary of all outcomes so far. The attempt is counted after
   * its outcome, so a reader that reads the attempts first never sees more attempts than outcomes.
   */
  private String heal(List<SlotCreationBlockers.Blocker> blockers) {
    attemptHeal(blockers);
    state.healAttempts.incrementAndGet();
    return summary();
  }

  private void attemptHeal(List<SlotCreationBlockers.Blocker> blockers) {
    if (healNeedsSetting().isPresent()) {
      // pg_log_standby_snapshot() cannot run during recovery: only the primary writes the record.
      state.healUnavailable.incrementAndGet();
      warnOnce(
          "slot {}: the source server is a standby, where creating a slot waits for the primary to"
              + " write a running-transactions record (an idle primary writes none). Fix: set {} to"
              + " the primary's JDBC URL (and {}/{} if its role differs) so that the heal runs"
              + " pg_log_standby_snapshot() on the primary; until then only the primary's own"
              + " background writer logs one, about every 15 s and only while it is written to",
          settings.slot().name(),
          PRIMARY_URL_KEY,
          SourceSettings.CONFIG_PATH + ".admin.primary-user",
          SourceSettings.CONFIG_PATH + ".admin.primary-password");
      return;
    }
    if (settings.admin().primaryUrl().isEmpty()
        && creation.serverVersionNum() < PG_LOG_STANDBY_SNAPSHOT_SINCE) {
      state.healUnavailable.incrementAndGet();
      warnOnce(
          "slot {}: creation is waiting for running transactions to end{}. The self-heal with"
              + " pg_log_standby_snapshot() needs PostgreSQL 16 or newer (this server is PostgreSQL {}); ending the named"
              + " transactions (COMMIT or ROLLBACK them, or SELECT pg_terminate_backend(pid)) unblocks creation",
          settings.slot().name(),
          blockers.isEmpty() ? "" : " (" + SlotCreationBlockers.describe(blockers) + ")",
          creation.serverVersionNum() / 10000);
      return;
    }
    try (Statement st = primary.get().createStatement()) {
      st.execute("SELECT pg_log_standby_snapshot()");
      state.healSucceeded.incrementAndGet();
    } catch (SQLException e) {
      if (SqlStates.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
        state.healUnavailable.incrementAndGet();
        String role =
            settings.admin().primaryUrl().isEmpty() || primaryRole().isEmpty()
                ? settings.connection().user()
                : primaryRole();
        warnOnce(
            "slot {}: creation is waiting for running transactions to end{}, and role {} may not run"
                + " pg_log_standby_snapshot() to heal it. Fix: GRANT EXECUTE ON FUNCTION pg_log_standby_snapshot() TO {};"
                + " until then, ending the named transactions unblocks creation",
            settings.slot().name(),
            blockers.isEmpty() ? "" : " (" + SlotCreationBlockers.describe(blockers) + ")",
            role,
            role);
      } else if (SqlStates.UNDEFINED_FUNCTION.equals(e.getSQLState())) {
        state.healUnavailable.incrementAndGet();
        warnOnce(
            "slot {}: the primary has no pg_log_standby_snapshot() (it needs PostgreSQL 16 or newer);"
                + " ending the blocking transactions unblocks creation",
            settings.slot().name());
      } else {
        state.healFailed.incrementAndGet();
        log.debug(
            "slot {}: pg_log_standby_snapshot() failed: {}",
            settings.slot().name(),
            e.getMessage());
        primary.reset();
      }
    }
  }

  private String primaryRole() {
    return JdbcProperties.primary(settings).getProperty("user", "");
  }

  private String summary() {
    StringBuilder b = new StringBuilder();
    append(b, state.healSucceeded.get(), "ok");
    append(b, state.healUnavailable.get(), "unavailable");
    append(b, state.healFailed.get(), "failed");
    return b.toString();
  }

  private static void append(StringBuilder b, long n, String what) {
    if (n > 0) {
      b.append(b.length() == 0 ? "" : ", ").append(n).append(' ').append(what);
    }
  }

  /** The heal's warning (why pg_log_standby_snapshot() cannot help), once per attempt. */
  private void warnOnce(String format, Object... args) {
    warnOncePerKind("heal", format, args);
  }

  /**
   * A warning of {@code kind}, given once per creation attempt. (Not an overload of {@link
   * #warnOnce}: a call with a format and a String argument would pick it.)
   */
  private void warnOncePerKind(String kind, String format, Object... args) {
    if (warnedThisAttempt.add(kind)) {
      log.warn(format, args);
    }
  }

  /**
   * The role sees other roles' sessions only in part without pg_read_all_stats (pg_stat_activity
   * hides their transaction start and client address): say which privilege would name them fully.
   */
  private void warnIfDetailsHidden(List<SlotCreationBlockers.Blocker> blockers) {
    List<SlotCreationBlockers.Blocker> hidden =
        blockers.stream().filter(SlotCreationBlockers.Blocker::detailsHidden).toList();
    if (!hidden.isEmpty()) {
      String role = settings.connection().user();
      warnOncePerKind(
          "hidden",
          "slot {}: role {} may not see the details of the sessions blocking slot creation ({}):"
              + " their transaction age and client address are hidden. Fix: GRANT pg_read_all_stats TO {}",
          settings.slot().name(),
          role,
          SlotCreationBlockers.describe(hidden),
          role);
    }
  }

  private void maybeTerminate(List<SlotCreationBlockers.Blocker> blockers) {
    if (settings.slot().terminateBlockersAfter().isEmpty()
        || blockers.isEmpty()
        || terminatedThisAttempt) {
      return;
    }
    Duration waited = Duration.ofNanos(System.nanoTime() - creationStartNanos);
    if (waited.compareTo(settings.slot().terminateBlockersAfter().get()) < 0) {
      return;
    }
    terminatedThisAttempt = true;
    Connection c;
    try {
      c = admin.get();
      for (SlotCreationBlockers.Blocker b : blockers) {
        try (var ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
          ps.setInt(1, b.pid());
          ps.execute();
        } catch (SQLException e) {
          if (!SqlStates.INSUFFICIENT_PRIVILEGE.equals(e.getSQLState())) {
            throw e;
          }
          // Ending another role's session needs pg_signal_backend (and a superuser's, superuser).
          String role = settings.connection().user();
          log.warn(
              "slot {}: role {} may not end {}, which has blocked slot creation for {} s"
                  + " (slot.creation.terminate-blockers-after): {}. Fix: GRANT pg_signal_backend TO {}"
                  + " (a superuser's session only a superuser may end), or end that transaction",
              settings.slot().name(),
              role,
              b.describe(),
              waited.toSeconds(),
              e.getMessage(),
              role);
          continue;
        }
        log.warn(
            "slot {}: terminated {}, which blocked slot creation for {} s (slot.creation.terminate-blockers-after)",
            settings.slot().name(),
            b.describe(),
            waited.toSeconds());
      }
    } catch (SQLException e) {
      log.warn(
          "slot {}: could not terminate the blockers of slot creation: {}",
          settings.slot().name(),
          e.getMessage());
      admin.reset();
    }
  }
}
