package io.slotkeeper.soak;

import io.slotkeeper.StreamSettings;
import io.slotkeeper.postgres.PostgresServer;
import java.time.Duration;
import java.util.List;
import java.util.Random;

/**
 * What one soak run does, all derived from one seed so a failure can be replayed: the seed is
 * printed at the start and in every failure message. System properties: {@code
 * slotkeeper.soak.seed} (default: random), {@code slotkeeper.soak.minutes} (run time of the
 * workload; the short soak ignores it), {@code slotkeeper.pg.version} (default: picked from the
 * seed among the bundled versions), {@code slotkeeper.soak.cumulative-ack} (see {@link
 * #cumulativeAck}).
 */
record SoakConfig(long seed, Duration runTime, int pgVersion, boolean cumulativeAck) {

  static final String SEED_PROPERTY = "slotkeeper.soak.seed";
  static final String MINUTES_PROPERTY = "slotkeeper.soak.minutes";

  /**
   * Acknowledge only the last Commit of a batch now and then, relying on an acknowledgement
   * covering everything delivered before it (CommittableOffset#commit is cumulative). On unless the
   * property is false.
   */
  static final String CUMULATIVE_PROPERTY = "slotkeeper.soak.cumulative-ack";

  static SoakConfig fromSystemProperties(Duration runTime) {
    String seedText = System.getProperty(SEED_PROPERTY, "").trim();
    long seed = seedText.isEmpty() ? new Random().nextLong() : Long.parseLong(seedText);
    return new SoakConfig(
        seed,
        runTime,
        pgVersion(seed),
        !"false".equalsIgnoreCase(System.getProperty(CUMULATIVE_PROPERTY, "").trim()));
  }

  /** The property's value in minutes, or empty when not given. */
  static java.util.Optional<Duration> minutesProperty() {
    String text = System.getProperty(MINUTES_PROPERTY, "").trim();
    return text.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(Duration.ofSeconds(Math.round(Double.parseDouble(text) * 60)));
  }

  /** -Dslotkeeper.pg.version wins; otherwise the seed picks one of the bundled major versions. */
  private static int pgVersion(long seed) {
    String given = System.getProperty(PostgresServer.VERSION_PROPERTY, "").trim();
    if (!given.isEmpty()) {
      return Integer.parseInt(given);
    }
    List<Integer> versions =
        PostgresServer.embeddedVersions().stream().filter(v -> v >= 13).toList();
    return versions.get(Math.floorMod(new Random(seed ^ 0x5eedL).nextInt(), versions.size()));
  }

  /**
   * The pgoutput protocol version asked for, from the seed among those the server has (2 needs
   * PostgreSQL 14, 3 needs 15, 4 needs 16). Whatever the version (and {@link #streaming}), the same
   * units must be delivered.
   */
  int protoVersion() {
    int highest = Math.min(4, Math.max(1, pgVersion - 12));
    return 1 + Math.floorMod(random("proto-version").nextInt(), highest);
  }

  static final String STREAMING_PROPERTY = "slotkeeper.soak.streaming";

  /**
   * Whether large transactions are streamed while in progress (off, on, parallel), from the seed
   * among what the server has (on: 14+, parallel: 16+), unless -Dslotkeeper.soak.streaming is
   * given. With logical_decoding_work_mem = 64kB the workload's large transactions are streamed,
   * and the consumer must see exactly what it sees with off.
   */
  StreamSettings.Streaming streaming() {
    String given = System.getProperty(STREAMING_PROPERTY, "").trim();
    if (!given.isEmpty()) {
      return StreamSettings.Streaming.valueOf(given.toUpperCase(java.util.Locale.ROOT));
    }
    int options = pgVersion >= 16 ? 3 : pgVersion >= 14 ? 2 : 1;
    return StreamSettings.Streaming.values()[Math.floorMod(random("streaming").nextInt(), options)];
  }

  static final String DELIVER_IN_PROGRESS_PROPERTY = "slotkeeper.soak.deliver-in-progress";

  /**
   * With streaming on or parallel: whether the consumer takes streamed transactions' chunks as they
   * arrive (deliver-in-progress) and applies only what commits, from the seed (half the runs)
   * unless -Dslotkeeper.soak.deliver-in-progress is given. The checks are the same either way.
   */
  boolean deliverInProgress() {
    if (streaming() == StreamSettings.Streaming.OFF) {
      return false;
    }
    String given = System.getProperty(DELIVER_IN_PROGRESS_PROPERTY, "").trim();
    if (!given.isEmpty()) {
      return Boolean.parseBoolean(given);
    }
    return random("deliver-in-progress").nextBoolean();
  }

  static final String TWO_PHASE_PROPERTY = "slotkeeper.soak.two-phase";

  /**
   * Whether the source decodes prepared transactions at PREPARE (slot.two-phase, 15+), from the
   * seed unless -Dslotkeeper.soak.two-phase is given; when on, the workload also prepares
   * transactions and commits or rolls them back. The oracle (test_decoding without two-phase) sees
   * a prepared transaction as an ordinary one at COMMIT PREPARED, so the consumer turns PREPARE +
   * COMMIT_PREPARED back into that unit.
   */
  boolean twoPhase() {
    if (pgVersion < 15) {
      return false;
    }
    String given = System.getProperty(TWO_PHASE_PROPERTY, "").trim();
    if (!given.isEmpty()) {
      return Boolean.parseBoolean(given);
    }
    return random("two-phase").nextBoolean();
  }

  /** PostgreSQL sends logical messages to pgoutput only from 14 (option messages 'true'). */
  boolean messagesArrive() {
    return pgVersion >= 14;
  }

  /** A random source for one part of the run, independent of the others' consumption. */
  Random random(String part) {
    return new Random(seed * 31 + part.hashCode());
  }

  @Override
  public String toString() {
    return "seed="
        + seed
        + " (replay: -D"
        + SEED_PROPERTY
        + "="
        + seed
        + "), PostgreSQL "
        + pgVersion
        + ", pgoutput protocol "
        + protoVersion()
        + ", streaming "
        + streaming().name().toLowerCase(java.util.Locale.ROOT)
        + (deliverInProgress() ? " (deliver-in-progress)" : "")
        + (twoPhase() ? ", two-phase on" : "")
        + ", run time "
        + runTime
        + (cumulativeAck ? ", some acknowledgements cumulative" : ", every unit acknowledged");
  }
}
