package io.slotkeeper.bench;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The thinnest reasonable pgjdbc consumer, as a yardstick: one thread polling {@link
 * PGReplicationStream#readPending()}, sleeping 1 ms when nothing is pending, telling row changes
 * apart by their first byte only and confirming what it received once a second. No decoding, no
 * supervision, no acknowledgement bookkeeping: whatever Slotkeeper costs on top of this is its
 * overhead.
 */
final class BaselineContender implements Contender {
  // PostgreSQL timestamps count microseconds from 2000-01-01 (the raw-frame probe's too).
  static final long PG_EPOCH_MICROS = 946_684_800_000_000L;
  private static final long STATUS_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long IDLE_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  @Override
  public String name() {
    return "pgjdbc baseline";
  }

  @Override
  public Running start(
      BenchDb db, String slot, String publication, Listener listener, boolean stallable)
      throws Exception {
    Connection connection = db.pg.connectReplication();
    PGReplicationStream stream;
    try {
      stream =
          connection
              .unwrap(PGConnection.class)
              .getReplicationAPI()
              .replicationStream()
              .logical()
              .withSlotName(slot)
              .withSlotOption("proto_version", "1")
              .withSlotOption("publication_names", publication)
              .start();
    } catch (Exception e) {
      connection.close();
      throw e;
    }
    Loop loop = new Loop(stream, listener);
    Thread thread = new Thread(loop, "baseline-" + slot);
    thread.setDaemon(true);
    thread.start();
    return new Running() {
      @Override
      public void stall() {
        loop.stalled = true;
      }

      @Override
      public void resume() {
        loop.stalled = false;
      }

      @Override
      public Throwable failure() {
        return Contender.failureOf(loop.done);
      }

      @Override
      public void close() throws Exception {
        loop.running = false;
        thread.join(TimeUnit.SECONDS.toMillis(30));
        try {
          stream.close();
        } finally {
          connection.close();
        }
      }
    };
  }

  private static final class Loop implements Runnable {
    final PGReplicationStream stream;
    final Listener listener;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile boolean running = true;
    volatile boolean stalled;

    Loop(PGReplicationStream stream, Listener listener) {
      this.stream = stream;
      this.listener = listener;
    }

    @Override
    public void run() {
      try {
        long commitMicros = 0;
        long nextStatus = System.nanoTime() + STATUS_INTERVAL_NANOS;
        while (running) {
          ByteBuffer msg = stalled ? null : stream.readPending();
          if (msg == null) {
            LockSupport.parkNanos(IDLE_SLEEP_NANOS);
          } else {
            int at = msg.position();
            switch (msg.get(at)) {
              // Begin carries the commit time (after the final LSN); only the latency benchmark
              // uses it.
              case 'B' -> commitMicros = msg.getLong(at + 9) + PG_EPOCH_MICROS;
              case 'I' -> listener.change('I', commitMicros);
              case 'U' -> listener.change('U', commitMicros);
              case 'D' -> listener.change('D', commitMicros);
              case 'C' -> listener.commit();
              default -> {}
            }
          }
          long now = System.nanoTime();
          if (now - nextStatus >= 0) {
            LogSequenceNumber received = stream.getLastReceiveLSN();
            stream.setFlushedLSN(received);
            stream.setAppliedLSN(received);
            stream.forceUpdateStatus();
            nextStatus = now + STATUS_INTERVAL_NANOS;
          }
        }
        done.complete(null);
      } catch (Throwable t) {
        done.completeExceptionally(t);
      }
    }
  }
}
