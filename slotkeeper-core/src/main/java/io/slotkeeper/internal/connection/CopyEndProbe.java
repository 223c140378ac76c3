package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.PGStream;
import org.postgresql.core.QueryExecutorBase;
import org.postgresql.core.VisibleBufferedInputStream;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells whether the server has ended a COPY BOTH stream on its own.
 *
 * <p>Why this exists: a walsender that finishes (server shutdown, walsender stopped) sends
 * CommandComplete and exits. pgjdbc's non-blocking {@code readFromCopy(false)} deliberately leaves
 * a CommandComplete unread until the client sends CopyDone, so it keeps returning "nothing yet" and
 * the copy stays active; the dead stream would only show when a later status update hits the closed
 * socket, one or two keepalive intervals later. Peeking at the next message type on the
 * connection's stream reveals it at once. pgjdbc exposes the stream only as a protected field,
 * hence the reflection; if it is unavailable (another pgjdbc version) the probe answers false and
 * the keepalive write and the liveness timeout still catch the dead stream, just later.
 */
@InternalApi
public final class CopyEndProbe {
  private static final Logger log = LoggerFactory.getLogger(CopyEndProbe.class);
  private static final char COMMAND_COMPLETE = 'C';
  private static final char COPY_DONE = 'c';
  private static final CopyEndProbe UNAVAILABLE = new CopyEndProbe(null);

  private static final long EOF_CHECK_INTERVAL_NANOS = 250_000_000L;

  private final PGStream stream;
  private long lastEofCheckNanos = System.nanoTime();

  /** A {@link ReadinessWaiter} watches the connection: it sees an end of stream by itself. */
  private volatile boolean waiterWatches;

  /** pgjdbc's buffered input of {@link #stream} (null when it cannot be reached). */
  private final VisibleBufferedInputStream input;

  private CopyEndProbe(PGStream stream) {
    this.stream = stream;
    this.input = stream == null ? null : pgInput(stream);
  }

  private static VisibleBufferedInputStream pgInput(PGStream stream) {
    try {
      Field field = PGStream.class.getDeclaredField("pgInput");
      field.setAccessible(true);
      return (VisibleBufferedInputStream) field.get(stream);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("cannot reach pgjdbc's input buffer: {}", e.toString());
      return null;
    }
  }

  public static CopyEndProbe of(Connection connection) {
    PGStream stream = pgStream(connection);
    if (stream == null) {
      log.debug(
          "cannot reach pgjdbc's stream; a server-ended stream will be noticed by the keepalive");
      return UNAVAILABLE;
    }
    return new CopyEndProbe(stream);
  }

  /**
   * pgjdbc's stream of {@code connection} (a protected field, hence the reflection), or null when
   * it cannot be reached (another pgjdbc version); shared with {@link ReadinessWaiter}.
   */
  static PGStream pgStream(Connection connection) {
    try {
      Object executor = connection.unwrap(BaseConnection.class).getQueryExecutor();
      Field field = QueryExecutorBase.class.getDeclaredField("pgStream");
      field.setAccessible(true);
      return (PGStream) field.get(executor);
    } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
      log.debug("cannot reach pgjdbc's stream: {}", e.toString());
      return null;
    }
  }

  /**
   * From now on a {@link ReadinessWaiter} watches the connection whenever nothing is read, so the
   * owner may ask {@link #bytesWaiting} instead of pgjdbc, and the periodic end-of-stream peek is
   * not needed: the waiter's read ends with the stream (CLOSED_BY_SERVER), and a CommandComplete is
   * bytes it wakes for.
   */
  void watchedFromNowOn() {
    waiterWatches = input != null;
  }

  /** See {@link #watchedFromNowOn()}. */
  boolean watchedByWaiter() {
    return waiterWatches;
  }

  /**
   * Whether any byte waits in pgjdbc's buffer or the socket's, asked without waiting at all (only
   * once {@link #watchedFromNowOn()}).
   *
   * <p>Why not pgjdbc's {@code hasMessagePending}: its replication protocol sets the stream's
   * {@code minStreamAvailableCheckDelay} to 0 ("blocking 1ms reads for available() checks"), and a
   * check whose timed read times out does not even start the delay, so every non-blocking read that
   * finds nothing first waits 1 ms, and this probe's end check waited 1 ms more. A read loop that
   * stops at the first empty read paid that per batch: the latency benchmark, timed per hop, showed
   * 2.3 ms of the 2.5 ms between a wake and the batch's hand-over in that last empty read (1.17 ms
   * in {@code readFromCopy(false)}, 1.14 ms in the end check), against 0.06 ms from the hand-over
   * to the consumer. Bytes that {@code available()} cannot see (a TLS record not yet decrypted) are
   * not lost: the owner then arms the waiter, whose blocking read takes them and wakes it.
   */
  boolean bytesWaiting() throws SQLException {
    try {
      return input.available() > 0;
    } catch (IOException e) {
      throw new PSQLException(
          "the replication connection failed: " + e.getMessage(), PSQLState.CONNECTION_FAILURE, e);
    }
  }

  /**
   * True when the next message already waiting on the connection is the server's CopyDone: a
   * physical walsender ends a timeline that way (it became historic, e.g. the standby was promoted)
   * and then waits for the client's CopyDone before it says which timeline follows. Must be asked
   * before pgjdbc reads: its non-blocking read would take the CopyDone and then wait, blocking, for
   * a CommandComplete that the server sends only after the client's CopyDone. Never waits for the
   * server.
   */
  public boolean copyDonePending() throws SQLException {
    if (stream == null) {
      return false;
    }
    try {
      return stream.hasMessagePending() && stream.peekChar() == COPY_DONE;
    } catch (EOFException e) {
      throw new PSQLException(
          "the server closed the replication connection", PSQLState.CONNECTION_FAILURE, e);
    } catch (IOException e) {
      throw new PSQLException(
          "the replication connection failed: " + e.getMessage(), PSQLState.CONNECTION_FAILURE, e);
    }
  }

  /**
   * True when a message (or a part of one) is already waiting on the connection, in pgjdbc's buffer
   * or the socket's; true also when the probe is unavailable, so that callers fall back to asking
   * pgjdbc. Never waits.
   */
  public boolean messagePending() throws SQLException {
    if (stream == null) {
      return true;
    }
    try {
      return stream.hasMessagePending();
    } catch (IOException e) {
      throw new PSQLException(
          "the replication connection failed: " + e.getMessage(), PSQLState.CONNECTION_FAILURE, e);
    }
  }

  /**
   * True when the next message waiting on the connection is the server's CommandComplete. Throws
   * when the server closed the connection: pgjdbc's non-blocking check reports an end of stream as
   * "nothing pending" (a server killed by an immediate shutdown sends no error first), so at most
   * every {@link #EOF_CHECK_INTERVAL_NANOS} this probe peeks itself, waiting at most 1 ms.
   */
  public boolean serverEndedCopy() throws SQLException {
    if (stream == null) {
      return false;
    }
    try {
      if (stream.hasMessagePending()) {
        return stream.peekChar() == COMMAND_COMPLETE;
      }
      long now = System.nanoTime();
      if (waiterWatches || now - lastEofCheckNanos < EOF_CHECK_INTERVAL_NANOS) {
        return false;
      }
      lastEofCheckNanos = now;
      int saved = stream.getNetworkTimeout();
      stream.setNetworkTimeout(1);
      try {
        return stream.peekChar() == COMMAND_COMPLETE;
      } catch (SocketTimeoutException quiet) {
        return false;
      } finally {
        stream.setNetworkTimeout(saved);
      }
    } catch (EOFException e) {
      throw new PSQLException(
          "the server closed the replication connection", PSQLState.CONNECTION_FAILURE, e);
    } catch (IOException e) {
      throw new PSQLException(
          "the replication connection failed: " + e.getMessage(), PSQLState.CONNECTION_FAILURE, e);
    }
  }
}
