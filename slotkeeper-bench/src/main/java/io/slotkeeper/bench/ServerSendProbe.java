package io.slotkeeper.bench;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyDual;

/**
 * Not a reader users would write but the latency benchmark's floor: one thread that reads the raw
 * CopyData frames (a blocking read, so it wakes when data arrives, where the thin loop polls every
 * millisecond), looks at one byte of each message and nothing more. For each row it reports its
 * latency to arrival, like every reader, and apart from it the time from the commit to the moment
 * the walsender sent the frame that carries the row (the XLogData header's send time, which the
 * walsender takes just before it writes the frame to the socket). That part is the server's alone
 * (waking the walsender, decoding, pgoutput) and every reader's latency includes it. When even this
 * reader's p99 is above a target, the target is out of reach on that machine.
 */
final class ServerSendProbe implements Contender {
  private static final long PG_EPOCH_MICROS = BaselineContender.PG_EPOCH_MICROS;
  private static final long STATUS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  // 'w', the WAL start, the WAL end, the send time: then the pgoutput message.
  private static final int XLOG_HEADER = 1 + 8 + 8 + 8;

  /** Where the frame's send time goes: {@link Counter#sent}. */
  interface SendListener extends Listener {
    /**
     * A row change committed at {@code commitMicros} that the server sent at {@code sentMicros}
     * (both Unix epoch µs).
     */
    void sent(char kind, long commitMicros, long sentMicros);
  }

  @Override
  public String name() {
    return "raw frames";
  }

  @Override
  public Running start(
      BenchDb db, String slot, String publication, Listener listener, boolean stallable)
      throws Exception {
    if (!(listener instanceof SendListener sendListener) || stallable) {
      throw new IllegalArgumentException("the probe only serves the latency benchmark");
    }
    Connection connection = db.pg.connectReplication();
    CopyDual copy;
    try {
      copy =
          connection
              .unwrap(PGConnection.class)
              .getCopyAPI()
              .copyDual(
                  "START_REPLICATION SLOT \""
                      + slot
                      + "\" LOGICAL 0/0 (\"proto_version\" '1', \"publication_names\" '"
                      + publication
                      + "')");
    } catch (Exception e) {
      connection.close();
      throw e;
    }
    Loop loop = new Loop(copy, sendListener);
    Thread thread = new Thread(loop, "server-send-" + slot);
    thread.setDaemon(true);
    thread.start();
    return new Running() {
      @Override
      public void stall() {
        throw new UnsupportedOperationException();
      }

      @Override
      public void resume() {
        throw new UnsupportedOperationException();
      }

      @Override
      public Throwable failure() {
        return Contender.failureOf(loop.done);
      }

      @Override
      public void close() throws Exception {
        loop.running = false;
        // The loop may be blocked in a read: closing the connection ends it.
        connection.close();
        thread.join(TimeUnit.SECONDS.toMillis(30));
      }
    };
  }

  /** What the loop reads from each CopyData frame: apart from the I/O, so a test can feed it. */
  static final class Frames {
    private final SendListener listener;
    private long commitMicros;
    // The highest WAL position seen, confirmed in status updates.
    long received;

    Frames(SendListener listener) {
      this.listener = listener;
    }

    /** Takes one frame; true when it is a keepalive that asks for a reply now. */
    boolean take(byte[] frame) {
      ByteBuffer b = ByteBuffer.wrap(frame);
      switch (b.get(0)) {
        case 'w' -> {
          received = Math.max(received, b.getLong(1));
          long sentMicros = b.getLong(17) + PG_EPOCH_MICROS;
          switch (b.get(XLOG_HEADER)) {
            // Begin: the final LSN, then the commit time.
            case 'B' -> commitMicros = b.getLong(XLOG_HEADER + 9) + PG_EPOCH_MICROS;
            case 'I' -> listener.sent('I', commitMicros, sentMicros);
            case 'U' -> listener.sent('U', commitMicros, sentMicros);
            case 'D' -> listener.sent('D', commitMicros, sentMicros);
            case 'C' -> listener.commit();
            default -> {}
          }
          return false;
        }
        case 'k' -> {
          // The WAL end, the send time, then whether the server wants a reply now.
          received = Math.max(received, b.getLong(1));
          return b.get(17) != 0;
        }
        default -> {
          return false;
        }
      }
    }
  }

  private static final class Loop implements Runnable {
    final CopyDual copy;
    final SendListener listener;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile boolean running = true;

    Loop(CopyDual copy, SendListener listener) {
      this.copy = copy;
      this.listener = listener;
    }

    @Override
    public void run() {
      try {
        Frames frames = new Frames(listener);
        long nextStatus = System.nanoTime() + STATUS_INTERVAL_NANOS;
        while (running) {
          byte[] frame = copy.readFromCopy(true);
          if (frame == null) {
            throw new IllegalStateException("the server ended the stream");
          }
          boolean replyNow = frames.take(frame);
          long now = System.nanoTime();
          if (replyNow || now - nextStatus >= 0) {
            sendStatus(frames.received);
            nextStatus = now + STATUS_INTERVAL_NANOS;
          }
        }
        done.complete(null);
      } catch (Throwable t) {
        if (running) {
          done.completeExceptionally(t);
        } else {
          done.complete(null);
        }
      }
    }

    private void sendStatus(long lsn) throws Exception {
      ByteBuffer r = ByteBuffer.allocate(1 + 8 + 8 + 8 + 8 + 1);
      r.put((byte) 'r').putLong(lsn).putLong(lsn).putLong(lsn);
      r.putLong(SlotkeeperContender.micros(java.time.Instant.now()) - PG_EPOCH_MICROS);
      r.put((byte) 0);
      copy.writeToCopy(r.array(), 0, r.capacity());
      copy.flushCopy();
    }
  }
}
