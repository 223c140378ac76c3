package io.slotkeeper.internal.connection;

import io.slotkeeper.InternalApi;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.Semaphore;
import java.util.function.BiConsumer;
import org.postgresql.core.PGStream;

/**
 * Wakes the connection's owner when the server sends something, so that a quiet stream costs no
 * CPU: instead of re-polling with non-blocking reads, the owner {@linkplain #arm() lends} the
 * stream's input to this waiter's thread after a read found nothing, and reads again only once told
 * that a byte has arrived.
 *
 * <p>What the waiter does with the stream is one blocking {@link PGStream#peekChar()}: it fills
 * pgjdbc's own input buffer ({@code VisibleBufferedInputStream}) with whatever arrived and consumes
 * nothing, so the owner's next non-blocking read finds it ({@code hasMessagePending} asks the
 * buffer's {@code available()} first) and parses it as always. It never parses, never writes, and
 * never touches the stream while not armed. Why this is safe with pgjdbc 42.7.10, read in its
 * source:
 *
 * <ul>
 *   <li>The owner reads only when the waiter is not armed: arming hands the input over (the
 *       semaphore's release), the wake hands it back (a message to the owner after the peek
 *       returned), so the buffer is used by one thread at a time, with a happens-before edge at
 *       each hand-over.
 *   <li>The owner keeps writing while the waiter is armed (status updates, keepalive replies, the
 *       Terminate of close): {@code QueryExecutorImpl.writeToCopy}/{@code flushCopy} and {@code
 *       QueryExecutorCloseAction.sendCloseMessage} touch only {@code PGStream}'s output stream. The
 *       waiter does not go through the query executor, so it never holds the connection's {@code
 *       ResourceLock}, which {@code readFromCopy} holds for a whole read: a waiter that read
 *       through pgjdbc would block the writes.
 *   <li>A read timeout leaves the buffer as it was: {@code VisibleBufferedInputStream.readMore}
 *       throws the {@link SocketTimeoutException} before it changes its indexes (pgjdbc's own
 *       {@code hasMessagePending} relies on the same, peeking with a 1 ms timeout, TLS included),
 *       so the waiter simply looks again. The socket's timeout (pgjdbc's network timeout, half the
 *       liveness timeout while streaming) is changed only by the owner's reads ({@code
 *       hasMessagePending}, {@link CopyEndProbe}), which never run while the waiter is armed, and
 *       by close, which sets the waiter's flag first.
 *   <li>TLS and GSS are covered: the peek goes through pgjdbc's outermost stream, so what lands in
 *       the buffer is decrypted bytes, and {@code available()} sees them.
 *   <li>Close unblocks it: closing the connection closes the socket, and the blocked read fails;
 *       the flag set before says that this failure is the owner's doing and not news.
 * </ul>
 *
 * <p>Liveness is the owner's as before: the waiter only says that something arrived; the owner
 * reads it and counts it as a message from the server.
 */
@InternalApi
public final class ReadinessWaiter implements AutoCloseable {

  /** What the waiter saw. */
  public enum Wake {
    /** Bytes arrived (in pgjdbc's buffer now); the owner reads them. */
    READABLE,
    /** The server closed the connection: end of stream, nothing more will come. */
    CLOSED_BY_SERVER,
    /** The read failed (connection reset, socket closed by someone else). */
    FAILED
  }

  private final PGStream stream;
  private final BiConsumer<Wake, IOException> onWake;
  private final Semaphore armed = new Semaphore(0);
  private final Thread thread;
  private volatile boolean closed;

  private ReadinessWaiter(PGStream stream, String name, BiConsumer<Wake, IOException> onWake) {
    this.stream = stream;
    this.onWake = onWake;
    // One thread per connection: a blocked read holds its thread whatever pool it came from, and a
    // parked thread costs no CPU. Daemon, so a forgotten connection never keeps the JVM alive.
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
  }

  /**
   * Starts a waiter on {@code stream}; {@code onWake} runs on its thread once per {@link #arm()}
   * (never after {@link #close()} was called), with the failure for {@link Wake#FAILED}.
   */
  static ReadinessWaiter start(
      PGStream stream, String threadName, BiConsumer<Wake, IOException> onWake) {
    ReadinessWaiter w = new ReadinessWaiter(stream, threadName, onWake);
    w.thread.start();
    return w;
  }

  /**
   * Lends the stream's input to the waiter for one wait. The caller must not read from the stream
   * until it has been woken.
   */
  public void arm() {
    armed.release();
  }

  /** Stops the waiter; call before closing the connection, so that its failure wakes nobody. */
  @Override
  public void close() {
    closed = true;
    if (Thread.currentThread() != thread) {
      // Ends a wait for arming; a blocked socket read ends with the close. Not when the owner runs
      // on this very thread (a wake it carries, WakeTrampoline): the loop sees the flag on return,
      // and an interrupt would be left pending for whatever else that wake runs.
      thread.interrupt();
    }
  }

  private void run() {
    while (!closed) {
      try {
        armed.acquire();
      } catch (InterruptedException e) {
        continue; // closed
      }
      Wake wake;
      IOException failure = null;
      try {
        wake = waitForBytes() ? Wake.READABLE : Wake.CLOSED_BY_SERVER;
      } catch (IOException e) {
        wake = Wake.FAILED;
        failure = e;
      }
      if (closed) {
        return;
      }
      Wake seen = wake;
      IOException why = failure;
      // The owner's handling of the wake, and what it passes on, run here when their dispatcher
      // allows it (WakeTrampoline): this thread holds a core now, a pool thread would have to wait
      // for one.
      WakeTrampoline.run(() -> onWake.accept(seen, why));
    }
  }

  /** True once bytes wait in pgjdbc's buffer, false at end of stream. */
  private boolean waitForBytes() throws IOException {
    while (true) {
      try {
        stream.peekChar();
        return true;
      } catch (EOFException e) {
        return false;
      } catch (SocketTimeoutException e) {
        // Only the socket's read timeout ended the wait; the buffer is untouched. Look again:
        // telling a silent path from a quiet stream is the owner's liveness check.
        if (closed) {
          throw e;
        }
      }
    }
  }
}
