package io.slotkeeper.soak;

import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.postgres.StopMode;
import io.slotkeeper.testkit.TcpProxy;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Causes one fault at a time, for real, and counts them by kind. */
final class FaultInjector {
  /** Set on the server: the stall lasts more than three times this. */
  static final Duration WAL_SENDER_TIMEOUT = Duration.ofSeconds(2);

  private final PostgresServer pg;
  private final TcpProxy proxy;
  private final ConsumerLives lives;
  private final String slot;
  private final String publication;
  private final FaultSchedule schedule;
  private final Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);

  FaultInjector(
      PostgresServer pg,
      TcpProxy proxy,
      ConsumerLives lives,
      String slot,
      String publication,
      FaultSchedule schedule) {
    this.pg = pg;
    this.proxy = proxy;
    this.lives = lives;
    this.slot = slot;
    this.publication = publication;
    this.schedule = schedule;
  }

  /** Injects faults until {@code deadlineNanos}, with the schedule's pauses between them. */
  void runUntil(long deadlineNanos, java.util.function.Consumer<String> log) throws Exception {
    while (System.nanoTime() - deadlineNanos < 0) {
      Thread.sleep(schedule.pauseMillis());
      if (System.nanoTime() - deadlineNanos >= 0) {
        return;
      }
      FaultKind kind = schedule.next();
      long started = System.nanoTime();
      String detail = inject(kind);
      counts.merge(kind, 1, Integer::sum);
      log.accept(
          "fault "
              + kind
              + " "
              + detail
              + " ("
              + (System.nanoTime() - started) / 1_000_000
              + " ms)");
    }
  }

  private String inject(FaultKind kind) throws Exception {
    switch (kind) {
      case WALSENDER_KILL -> {
        return "pid " + pg.terminateWalsender(slot);
      }
      case RESTART_FAST, RESTART_IMMEDIATE -> {
        pg.stop(kind == FaultKind.RESTART_FAST ? StopMode.FAST : StopMode.IMMEDIATE);
        long down = schedule.between(200, 2000);
        Thread.sleep(down);
        pg.start();
        return "down " + down + " ms";
      }
      case TCP_CUT -> {
        int links = proxy.activeConnections();
        proxy.cutAll();
        return links + " connections";
      }
      case BLACKHOLE -> {
        long held = schedule.between(1500, 6000);
        proxy.blackhole(true);
        try {
          Thread.sleep(held);
        } finally {
          proxy.blackhole(false);
        }
        return held + " ms";
      }
      case CONSUMER_STALL -> {
        long stalled = WAL_SENDER_TIMEOUT.toMillis() * 3 + schedule.between(300, 2000);
        SoakConsumer consumer = lives.current().consumer;
        consumer.stall();
        try {
          Thread.sleep(stalled);
        } finally {
          consumer.resume();
        }
        return stalled + " ms";
      }
      case SLOT_HELD -> {
        return holdSlot(schedule.between(2000, 5000));
      }
      case CONSUMER_CRASH -> {
        Incarnation next = lives.crashAndRestart();
        return "incarnation " + next.number + " starts at confirmed " + next.startConfirmed;
      }
      default -> throw new AssertionError(kind);
    }
  }

  /**
   * Disconnects our source (and keeps it out), lets another consumer take the slot, then lets ours
   * retry.
   */
  private String holdSlot(long millis) throws Exception {
    CompletableFuture<Long> holder;
    proxy.refuse(true);
    try {
      proxy.cutAll();
      SlotState.awaitInactive(pg, slot, Duration.ofSeconds(30));
      holder =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return SlotHolder.hold(pg, slot, publication, Duration.ofMillis(millis));
                } catch (Exception e) {
                  throw new IllegalStateException(
                      "the other consumer could not hold the slot: " + e.getMessage(), e);
                }
              });
      pg.waitForActiveWalsender(slot, Duration.ofSeconds(10));
    } finally {
      // Ours now tries again and finds the slot busy until the holder lets go.
      proxy.refuse(false);
    }
    long received = holder.get(millis + 30_000, TimeUnit.MILLISECONDS);
    return millis + " ms, the holder received " + received + " bytes";
  }

  Map<FaultKind, Integer> counts() {
    return counts;
  }
}
