package io.slotkeeper;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a connection streams: the pgoutput protocol version, keepalives and the dead-path timeout,
 * how soon acknowledgements reach the server, how the connection is polled and read, and when the
 * slot advances or a warning is raised ({@code proto-version}, {@code keepalive-interval}, {@code
 * keepalive-max-interval}, {@code liveness-timeout}, {@code ack.flush-interval}, {@code poll.*},
 * {@code batch-size}, {@code idle-advance}, {@code unacknowledged-warning}, {@code binary}, {@code
 * origin}, {@code streaming}, {@code spool.*}, {@code deliver-in-progress} in reference.conf).
 * Immutable; every {@code withXxx} returns a changed copy.
 */
public final class StreamSettings {

  /** Which transactions pgoutput sends by their replication origin (pgoutput option origin). */
  public enum OriginFilter {
    /** Every transaction, whatever its origin (the server's behaviour without the option). */
    ANY,
    /**
     * Only transactions without an origin: changes written by this server's own sessions, not those
     * replayed by logical replication (or any session with a replication origin set). 16+.
     */
    NONE
  }

  private final int protoVersion;
  private final Optional<Duration> keepaliveInterval;
  private final Duration keepaliveMaxInterval;
  private final Optional<Duration> livenessTimeout;
  private final Duration ackFlushInterval;
  private final Duration pollMinInterval;
  private final Duration pollMaxInterval;
  private final int batchSize;
  private final boolean idleAdvance;
  private final int unacknowledgedWarning;
  private final Binary binary;
  private final OriginFilter origin;
  private final Streaming streaming;
  private final SpoolSettings spool;
  private final boolean deliverInProgress;

  /**
   * Whether the server streams large transactions while they are still in progress ({@code
   * streaming} in reference.conf). With ON or PARALLEL the consumer still sees only committed
   * transactions, each whole and in commit order: Slotkeeper spools the chunks ({@link
   * SpoolSettings}) and delivers them at Stream Commit.
   */
  public enum Streaming {
    /** The server holds a large transaction back (spilling it to its own disk) until COMMIT. */
    OFF,
    /** pgoutput {@code streaming = on}: needs PostgreSQL 14 (protocol version 2). */
    ON,
    /** pgoutput {@code streaming = parallel}: needs PostgreSQL 16 (protocol version 4). */
    PARALLEL,
    /**
     * The best the server has, decided at every connect: PARALLEL on PostgreSQL 16 and later, ON on
     * 14 and 15, OFF on 13 (the default: measured faster for large transactions, see
     * reference.conf).
     */
    AUTO
  }

  /**
   * Whether values come in the types' binary send format ({@code binary} in reference.conf). Binary
   * measured faster (less walsender CPU per change), text is exact for every type.
   */
  public enum Binary {
    /** Text output for every value (pgoutput's default). */
    OFF,
    /**
     * Binary for every value (PostgreSQL 14+; on 13 the source ends FAILED). A type without a codec
     * keeps its send-format bytes ({@code ColumnValue.hasCodec()} false).
     */
    ON,
    /**
     * Decided at every connect: binary on PostgreSQL 14+ when every published column's type has a
     * codec here, otherwise text (the default). A Relation with a type without a codec arriving
     * later ends the connection, and the next connect decides again.
     */
    AUTO
  }

  StreamSettings(
      int protoVersion,
      Optional<Duration> keepaliveInterval,
      Duration keepaliveMaxInterval,
      Optional<Duration> livenessTimeout,
      Duration ackFlushInterval,
      Duration pollMinInterval,
      Duration pollMaxInterval,
      int batchSize,
      boolean idleAdvance,
      int unacknowledgedWarning,
      Binary binary,
      OriginFilter origin,
      Streaming streaming,
      SpoolSettings spool,
      boolean deliverInProgress) {
    this.deliverInProgress = deliverInProgress;
    this.streaming = Objects.requireNonNull(streaming, "streaming");
    this.spool = Objects.requireNonNull(spool, "spool");
    this.protoVersion = protoVersion;
    this.keepaliveInterval = Objects.requireNonNull(keepaliveInterval, "keepaliveInterval");
    this.keepaliveMaxInterval =
        Objects.requireNonNull(keepaliveMaxInterval, "keepaliveMaxInterval");
    this.livenessTimeout = Objects.requireNonNull(livenessTimeout, "livenessTimeout");
    this.ackFlushInterval = Objects.requireNonNull(ackFlushInterval, "ackFlushInterval");
    this.pollMinInterval = Objects.requireNonNull(pollMinInterval, "pollMinInterval");
    this.pollMaxInterval = Objects.requireNonNull(pollMaxInterval, "pollMaxInterval");
    this.batchSize = batchSize;
    this.idleAdvance = idleAdvance;
    this.unacknowledgedWarning = unacknowledgedWarning;
    this.binary = Objects.requireNonNull(binary, "binary");
    this.origin = Objects.requireNonNull(origin, "origin");
  }

  /**
   * Whether {@code binary = on}: values in the types' binary send format (pgoutput option binary,
   * PostgreSQL 14+) on every connection; {@code ColumnValue.text()} prints them as the server
   * would. False for {@code off} and for {@code auto} (see {@link #binaryMode()}).
   */
  public boolean binary() {
    return binary == Binary.ON;
  }

  /** The configured binary mode; {@code AUTO} is decided per connection. */
  public Binary binaryMode() {
    return binary;
  }

  /** Which transactions the server sends by replication origin (pgoutput option origin, 16+). */
  public OriginFilter origin() {
    return origin;
  }

  /** {@code true} is {@code binary = on}, {@code false} is {@code off}. */
  public StreamSettings withBinary(boolean v) {
    return withBinary(v ? Binary.ON : Binary.OFF);
  }

  public StreamSettings withBinary(Binary v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        v,
        origin,
        streaming,
        spool,
        deliverInProgress);
  }

  public StreamSettings withOrigin(OriginFilter v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        v,
        streaming,
        spool,
        deliverInProgress);
  }

  /** The pgoutput protocol version, 1 to 4. */
  public int protoVersion() {
    return protoVersion;
  }

  /** Empty means automatic: derived from the server's wal_sender_timeout. */
  public Optional<Duration> keepaliveInterval() {
    return keepaliveInterval;
  }

  /** Upper bound of the automatic keepalive interval. */
  public Duration keepaliveMaxInterval() {
    return keepaliveMaxInterval;
  }

  /** Empty means automatic: derived from the server's wal_sender_timeout. */
  public Optional<Duration> livenessTimeout() {
    return livenessTimeout;
  }

  /**
   * How soon a newly acknowledged position is reported to the server, at most one update per
   * interval.
   */
  public Duration ackFlushInterval() {
    return ackFlushInterval;
  }

  public Duration pollMinInterval() {
    return pollMinInterval;
  }

  public Duration pollMaxInterval() {
    return pollMaxInterval;
  }

  /** At most this many change envelopes are read per request from the stream. */
  public int batchSize() {
    return batchSize;
  }

  /** Confirm the server's WAL end while nothing delivered is unacknowledged. */
  public boolean idleAdvance() {
    return idleAdvance;
  }

  /** Warn when more delivered units than this wait for an acknowledgement. */
  public int unacknowledgedWarning() {
    return unacknowledgedWarning;
  }

  /** Whether large transactions are streamed while in progress. */
  public Streaming streaming() {
    return streaming;
  }

  /** Where chunks of streamed, not yet committed transactions wait for their Stream Commit. */
  public SpoolSettings spool() {
    return spool;
  }

  /**
   * Deliver the chunks of a streamed transaction as they arrive (STREAM_START, changes,
   * STREAM_STOP, STREAM_ABORT, STREAM_COMMIT elements) instead of spooling them; see {@link
   * ChangeEnvelope#inProgress()}.
   */
  public boolean deliverInProgress() {
    return deliverInProgress;
  }

  public StreamSettings withDeliverInProgress(boolean v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        origin,
        streaming,
        spool,
        v);
  }

  public StreamSettings withStreaming(Streaming v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        origin,
        v,
        spool,
        deliverInProgress);
  }

  public StreamSettings withSpool(SpoolSettings v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        origin,
        streaming,
        v,
        deliverInProgress);
  }

  public StreamSettings withProtoVersion(int v) {
    return new StreamSettings(
        v,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        origin,
        streaming,
        spool,
        deliverInProgress);
  }

  /** A fixed keepalive interval; null restores the automatic one. */
  public StreamSettings withKeepaliveInterval(Duration v) {
    return new StreamSettings(
        protoVersion,
        Optional.ofNullable(v),
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        origin,
        streaming,
        spool,
        deliverInProgress);
  }

  public StreamSettings withKeepaliveMaxInterval(Duration v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        v,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        origin,
        streaming,
        spool,
        deliverInProgress);
  }

  /** A fixed liveness timeout; null restores the automatic one. */
  public StreamSettings withLivenessTimeout(Duration v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        Optional.ofNullable(v),
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        origin,
        streaming,
        spool,
        deliverInProgress);
  }

  public StreamSettings withAckFlushInterval(Duration v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        v,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        origin,
        streaming,
        spool,
        deliverInProgress);
  }

  public StreamSettings withPollInterval(Duration min, Duration max) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        min,
        max,
        batchSize,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        origin,
        streaming,
        spool,
        deliverInProgress);
  }

  public StreamSettings withBatchSize(int v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        v,
        idleAdvance,
        unacknowledgedWarning,
        binary,
        origin,
        streaming,
        spool,
        deliverInProgress);
  }

  public StreamSettings withIdleAdvance(boolean v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        v,
        unacknowledgedWarning,
        binary,
        origin,
        streaming,
        spool,
        deliverInProgress);
  }

  public StreamSettings withUnacknowledgedWarning(int v) {
    return new StreamSettings(
        protoVersion,
        keepaliveInterval,
        keepaliveMaxInterval,
        livenessTimeout,
        ackFlushInterval,
        pollMinInterval,
        pollMaxInterval,
        batchSize,
        idleAdvance,
        v,
        binary,
        origin,
        streaming,
        spool,
        deliverInProgress);
  }

  @Override
  public String toString() {
    return "StreamSettings(protoVersion="
        + protoVersion
        + ", keepaliveInterval="
        + keepaliveInterval.map(Duration::toString).orElse("auto")
        + ", keepaliveMaxInterval="
        + keepaliveMaxInterval
        + ", livenessTimeout="
        + livenessTimeout.map(Duration::toString).orElse("auto")
        + ", ackFlushInterval="
        + ackFlushInterval
        + ", pollMinInterval="
        + pollMinInterval
        + ", pollMaxInterval="
        + pollMaxInterval
        + ", batchSize="
        + batchSize
        + ", idleAdvance="
        + idleAdvance
        + ", unacknowledgedWarning="
        + unacknowledgedWarning
        + ", binary="
        + binary
        + ", origin="
        + origin
        + ", streaming="
        + streaming
        + ", spool="
        + spool
        + ", deliverInProgress="
        + deliverInProgress
        + ")";
  }
}
