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

  private CopyEndProbe(PGStream stream) {
    this.stream = stream;
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
      if (now - lastEofCheckNanos < EOF_CHECK_INTERVAL_NANOS) {
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
