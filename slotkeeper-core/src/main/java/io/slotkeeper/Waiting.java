package io.slotkeeper;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a {@link StatusLevel#STARTING} source is waiting for, as fields a program can act on or
 * print (the status reason says the same in words). Set by the part of the engine that knows it:
 * the slot creation's watcher for a blocked creation, the restart logic for a busy slot or a lost
 * connection. {@link #kind()} tells the cases apart for a {@code switch}.
 */
public sealed interface Waiting
    permits Waiting.CreationBlocked, Waiting.SlotBusy, Waiting.Reconnecting {

  /** Which case this is. */
  enum Kind {
    /** Creating the slot waits for transactions that were running when creation began. */
    CREATION_BLOCKED,
    /** Another consumer holds the slot; the source retries. */
    SLOT_BUSY,
    /**
     * The connection failed or was lost (server unreachable or restarting, walsender ended); the
     * source reconnects.
     */
    RECONNECTING
  }

  Kind kind();

  /**
   * What the heal of a blocked creation did so far ({@code pg_log_standby_snapshot()}, run every
   * heal interval): how many attempts, and how many of them ran, could not be run (server version
   * or privilege) or failed.
   */
  record HealOutcomes(long attempts, long succeeded, long unavailable, long failed) {}

  /**
   * CREATE_REPLICATION_SLOT waits: for the transactions of {@code blockerPids} to end, or (with no
   * blockers left) for the slot's snapshot to become consistent. {@code waited} is how long the
   * creation had been running when this was seen.
   *
   * <p>{@code waitsForPrimary}: the source server is a standby, whose slot creation waits for a
   * running-transactions record that only its primary writes (an idle primary writes none); the
   * blockers are then transactions on the primary, which the standby cannot name. {@code
   * healNeedsSetting}: the setting that would let the heal run, when it cannot (on a standby with
   * no {@code slotkeeper.source.admin.primary-url}: {@code pg_log_standby_snapshot()} runs only on
   * the primary).
   */
  record CreationBlocked(
      List<Integer> blockerPids,
      HealOutcomes heal,
      Duration waited,
      boolean waitsForPrimary,
      Optional<String> healNeedsSetting)
      implements Waiting {
    public CreationBlocked {
      blockerPids = List.copyOf(blockerPids);
      Objects.requireNonNull(heal, "heal");
      Objects.requireNonNull(waited, "waited");
      Objects.requireNonNull(healNeedsSetting, "healNeedsSetting");
    }

    /** A creation on a primary: it waits for the transactions of {@code blockerPids}. */
    public CreationBlocked(List<Integer> blockerPids, HealOutcomes heal, Duration waited) {
      this(blockerPids, heal, waited, false, Optional.empty());
    }

    @Override
    public Kind kind() {
      return Kind.CREATION_BLOCKED;
    }
  }

  /**
   * The slot is held by another backend (its PID and application name when known); the next try
   * comes after {@code nextRetry}.
   */
  record SlotBusy(OptionalInt holderPid, Optional<String> applicationName, Duration nextRetry)
      implements Waiting {
    public SlotBusy {
      Objects.requireNonNull(holderPid, "holderPid");
      Objects.requireNonNull(applicationName, "applicationName");
      Objects.requireNonNull(nextRetry, "nextRetry");
    }

    @Override
    public Kind kind() {
      return Kind.SLOT_BUSY;
    }
  }

  /**
   * The last connection attempt ended with {@code cause} (the error's words); the next comes after
   * {@code nextRetry}.
   */
  record Reconnecting(String cause, Duration nextRetry) implements Waiting {
    public Reconnecting {
      Objects.requireNonNull(cause, "cause");
      Objects.requireNonNull(nextRetry, "nextRetry");
    }

    @Override
    public Kind kind() {
      return Kind.RECONNECTING;
    }
  }
}
