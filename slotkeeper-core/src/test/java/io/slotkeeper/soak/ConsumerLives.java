package io.slotkeeper.soak;

import io.slotkeeper.Lsn;
import io.slotkeeper.SourceSettings;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.postgres.PostgresServer;
import io.slotkeeper.testkit.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The consumer process and its restarts. Each life starts after reading the slot's
 * confirmed_flush_lsn while no walsender uses the slot, so the value is the one the new source
 * starts from. A crash cuts the proxy path first (and refuses new connections), so nothing of the
 * dying process reaches the server after that moment, then terminates its actor system.
 */
final class ConsumerLives {
  private final PostgresServer pg;
  private final TcpProxy proxy;
  private final SourceSettings settings;
  private final SoakConfig config;
  private final AckLog acks;
  private final List<Incarnation> lives = new ArrayList<>();

  ConsumerLives(
      PostgresServer pg, TcpProxy proxy, SourceSettings settings, SoakConfig config, AckLog acks) {
    this.pg = pg;
    this.proxy = proxy;
    this.settings = settings;
    this.config = config;
    this.acks = acks;
  }

  synchronized Incarnation current() {
    return lives.get(lives.size() - 1);
  }

  synchronized List<Incarnation> all() {
    return List.copyOf(lives);
  }

  Incarnation startFirst() throws Exception {
    SlotState.awaitInactive(pg, settings.slot().name(), Duration.ofSeconds(30));
    return begin();
  }

  /** A real crash of the consumer process, then a fresh source on the same slot. */
  Incarnation crashAndRestart() throws Exception {
    proxy.refuse(true);
    proxy.cutAll();
    try {
      current().crash();
      SlotState.awaitInactive(pg, settings.slot().name(), Duration.ofSeconds(30));
    } finally {
      proxy.refuse(false);
    }
    // Nobody can confirm anything between this read and the new source's own read at connect.
    return begin();
  }

  private synchronized Incarnation begin() throws Exception {
    int number = lives.size() + 1;
    Lsn confirmed = SlotState.confirmed(pg, settings.slot().name());
    SoakConsumer consumer =
        new SoakConsumer(number, acks, config.cumulativeAck(), config.random("consumer-" + number));
    Incarnation life = Incarnation.start(number, confirmed, settings, consumer);
    lives.add(life);
    life.control()
        .waitUntil(StatusLevel.ACTIVE, Duration.ofSeconds(60))
        .toCompletableFuture()
        .get(70, TimeUnit.SECONDS);
    return life;
  }
}
