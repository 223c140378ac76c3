package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import io.slotkeeper.SourceSettings;
import java.time.Duration;

/** Derives the keepalive interval and the liveness timeout from the server's wal_sender_timeout. */
@InternalApi
public final class KeepaliveSchedule {
  private static final Duration NO_SERVER_TIMEOUT_LIVENESS = Duration.ofSeconds(60);

  private KeepaliveSchedule() {}

  /**
   * {@code min(wal_sender_timeout / 3, max)}: three chances to reach the server before it gives up
   * on us, and never longer than the configured maximum. A configured interval wins.
   */
  public static Duration interval(SourceSettings s, Duration walSenderTimeout) {
    if (s.stream().keepaliveInterval().isPresent()) {
      return s.stream().keepaliveInterval().get();
    }
    if (walSenderTimeout.isZero()) {
      return s.stream().keepaliveMaxInterval();
    }
    Duration third = walSenderTimeout.dividedBy(3);
    Duration floor = Duration.ofMillis(100);
    Duration d =
        third.compareTo(s.stream().keepaliveMaxInterval()) < 0
            ? third
            : s.stream().keepaliveMaxInterval();
    return d.compareTo(floor) < 0 ? floor : d;
  }

  /** How long a wanted-but-silent stream may stay silent before the path counts as dead. */
  public static Duration livenessTimeout(
      SourceSettings s, Duration walSenderTimeout, Duration keepalive) {
    if (s.stream().livenessTimeout().isPresent()) {
      return s.stream().livenessTimeout().get();
    }
    if (walSenderTimeout.isZero()) {
      return NO_SERVER_TIMEOUT_LIVENESS;
    }
    Duration twoRounds = keepalive.multipliedBy(2).plusSeconds(1);
    return walSenderTimeout.compareTo(twoRounds) > 0 ? walSenderTimeout : twoRounds;
  }
}
