package io.slotkeeper.internal.connection;

import io.slotkeeper.FailureKind;
import io.slotkeeper.InternalApi;
import io.slotkeeper.internal.supervision.Classification;
import io.slotkeeper.internal.supervision.ClassifiedException;
import io.slotkeeper.internal.supervision.ErrorClass;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyDual;
import org.postgresql.core.PGStream;

/**
 * The COPY BOTH stream of a replication connection, logical or physical: non-blocking reads that
 * notice a stream the server ended ({@link CopyEndProbe}), status-update writes, and the bounds
 * that make a dead path show while streaming. One copy for both kinds of session, so a fix to how
 * the stream is read or written reaches both.
 *
 * <p>Why the bounds: pgjdbc's non-blocking read only checks that a message has <em>started</em> to
 * arrive and then reads the rest blocking, so the socket timeout is set to half the liveness
 * timeout (pgjdbc's reader, when the timeout hits after it has read part of what it wanted, returns
 * that part and throws only when the next read times out too: a dead path shows after two
 * timeouts). Writes are not covered by the socket timeout at all, so a {@link WriteWatchdog} bounds
 * them. An idle stream is unaffected: with nothing pending, the read returns at once.
 */
@InternalApi
public final class CopyStream {
  private final Connection connection;
  private final CopyEndProbe endProbe;
  private final String endedByServer;
  private CopyDual copy;
  private Duration readLimit;
  private Duration writeLimit;

  /**
   * @param endedByServer what it means when the server ends the stream, for the error's text
   */
  public CopyStream(Connection connection, String endedByServer) {
    this.connection = connection;
    this.endProbe = CopyEndProbe.of(connection);
    this.endedByServer = endedByServer;
  }

  /** Sends {@code startReplication} (a START_REPLICATION command) and keeps its COPY BOTH. */
  public void start(String startReplication) throws SQLException {
    copy = connection.unwrap(PGConnection.class).getCopyAPI().copyDual(startReplication);
  }

  /** Bounds blocking reads and status-update writes from now on (see the class comment). */
  public void boundIo(Duration liveness, Duration socketTimeout) throws SQLException {
    Duration half = liveness.dividedBy(2);
    readLimit = half.compareTo(socketTimeout) < 0 ? half : socketTimeout;
    writeLimit = liveness;
    connection.setNetworkTimeout(
        Runnable::run, (int) Math.max(1, Math.min(Integer.MAX_VALUE, readLimit.toMillis())));
  }

  /**
   * One CopyData message if one is already waiting, else null; never waits for the server to start
   * one.
   */
  public byte[] readPending() throws SQLException {
    if (nothingArrived()) {
      return null; // the owner arms the waiter
    }
    byte[] data;
    try {
      data = copy.readFromCopy(false);
    } catch (OutOfMemoryError e) {
      // pgjdbc allocates a CopyData frame's announced length before reading it, with no bound but
      // the int. A length altered on the path (or sent by a broken server) fails that one
      // allocation; nothing else was allocated, so the heap is as it was. Left to Pekko, a fatal
      // error stops the JVM; as broken bytes, the connection ends and the message comes again
      // from the slot, and the same failure at the same position every time ends FAILED.
      Runtime rt = Runtime.getRuntime();
      throw new ClassifiedException(
          new Classification(
              ErrorClass.TRANSIENT,
              "a CopyData frame announced more bytes than the heap can hold (max heap "
                  + rt.maxMemory() / (1024 * 1024)
                  + " MB): its length is corrupt, or a message is larger than the heap (then"
                  + " raise -Xmx)",
              null,
              FailureKind.INVALID_STREAM),
          null);
    } catch (SQLException e) {
      if (readLimit != null && e.getCause() instanceof SocketTimeoutException) {
        throw new ClassifiedException(
            ErrorClass.TRANSIENT,
            "a message from the server stopped arriving part-way"
                + " (no byte for "
                + readLimit.toMillis()
                + " ms, twice); the network path looks dead",
            null,
            e);
      }
      throw e;
    }
    if (data == null && (!copy.isActive() || endProbe.serverEndedCopy())) {
      throw new ClassifiedException(
          ErrorClass.TRANSIENT, "the server ended the " + endedByServer, null, null);
    }
    return data;
  }

  /**
   * Starts a {@link ReadinessWaiter} on this stream, which the owner arms instead of re-polling;
   * null when pgjdbc's stream cannot be reached (another pgjdbc version): the owner polls then.
   */
  public ReadinessWaiter wakeOnData(
      String threadName, BiConsumer<ReadinessWaiter.Wake, IOException> onWake) {
    PGStream stream = CopyEndProbe.pgStream(connection);
    if (stream == null) {
      return null;
    }
    ReadinessWaiter waiter = ReadinessWaiter.start(stream, threadName, onWake);
    endProbe.watchedFromNowOn();
    return waiter;
  }

  /** What waits on a physical stream, decided by one look at the connection. */
  public enum Waiting {
    /** Nothing yet (and the server has not ended the stream). */
    NOTHING,
    /** The server's CopyDone: {@link #readPending} must not be called now. */
    COPY_DONE,
    /** Another message, which {@link #readPending} takes without waiting for a later one. */
    MESSAGE
  }

  /**
   * For a stream that the server may end with CopyDone (physical: its timeline ended). Looks first
   * whether anything waits at all and only then at what: asking "is it CopyDone?" and then calling
   * {@link #readPending} left a window in which a CopyDone arriving between the two was taken by
   * pgjdbc's read, which then blocked for a CommandComplete that the server sends only after our
   * CopyDone (seen once in TimelineSwitchPg18IT: the archive stopped at the promotion). Once a
   * message is known to wait, the next message is fixed, so the answer holds for the read after it.
   *
   * @throws ClassifiedException (TRANSIENT) when the server ended the stream or closed the
   *     connection
   */
  public Waiting waiting() throws SQLException {
    if (nothingArrived()) {
      return Waiting.NOTHING;
    }
    if (!endProbe.messagePending()) {
      if (!copy.isActive() || endProbe.serverEndedCopy()) {
        throw new ClassifiedException(
            ErrorClass.TRANSIENT, "the server ended the " + endedByServer, null, null);
      }
      return Waiting.NOTHING;
    }
    return endProbe.copyDonePending() ? Waiting.COPY_DONE : Waiting.MESSAGE;
  }

  /**
   * Answers the server's CopyDone with ours and reads what follows up to ReadyForQuery, after which
   * the connection takes commands again. pgjdbc skips the result set a walsender sends there (the
   * next timeline and its start) and then complains that the CommandComplete is not a COPY's; that
   * complaint, and only that, is expected.
   */
  public void endAfterServerCopyDone() throws SQLException {
    try {
      copy.endCopy();
    } catch (SQLException e) {
      if (e.getMessage() == null || !e.getMessage().contains("expected COPY but got")) {
        throw e;
      }
    }
    copy = null;
  }

  /** Writes one message (a status update), bounded by the write limit once streaming. */
  public void send(byte[] message) throws SQLException {
    if (writeLimit == null) {
      write(message);
    } else {
      WriteWatchdog.guard(writeLimit, this::abort, () -> write(message));
    }
  }

  private void write(byte[] message) throws SQLException {
    copy.writeToCopy(message, 0, message.length);
    copy.flushCopy();
  }

  /**
   * Closes the socket from any thread, without the orderly goodbye: what JDBC's abort is for. A
   * call blocked on the socket in the owning thread fails at once.
   */
  public void abort() {
    try {
      connection.abort(Runnable::run);
    } catch (SQLException | RuntimeException ignored) {
      // already closed, or closing anyway
    }
  }

  public boolean streaming() {
    return copy != null && copy.isActive();
  }

  /**
   * True when a waiter watches and not a byte has arrived (pgjdbc's buffer, then the socket's
   * {@code available()}; see {@link CopyEndProbe#bytesWaiting}): answered without asking pgjdbc,
   * whose check waits 1 ms whenever nothing is there.
   */
  private boolean nothingArrived() throws SQLException {
    return endProbe.watchedByWaiter() && !endProbe.bytesWaiting();
  }
}
