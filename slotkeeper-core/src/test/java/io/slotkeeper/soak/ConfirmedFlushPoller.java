package io.slotkeeper.soak;

import io.slotkeeper.Lsn;
import io.slotkeeper.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads the slot's confirmed_flush_lsn from pg_replication_slots about every 100 ms, on its own
 * connection, and keeps each value with the moment the query returned. Nothing the consumer
 * acknowledged after that moment can explain the value.
 */
final class ConfirmedFlushPoller implements AutoCloseable {
  record Poll(Lsn confirmed, long returnedNanos) {}

  private final PostgresServer pg;
  private final String slot;
  private final List<Poll> polls = Collections.synchronizedList(new ArrayList<>());
  private final Thread thread;
  private volatile boolean running = true;

  ConfirmedFlushPoller(PostgresServer pg, String slot) {
    this.pg = pg;
    this.slot = slot;
    this.thread = new Thread(this::run, "soak-confirmed-poller");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    Connection c = null;
    while (running) {
      try {
        if (c == null) {
          c = pg.connect();
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?")) {
          ps.setString(1, slot);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next() && rs.getString(1) != null) {
              Lsn confirmed = Lsn.parse(rs.getString(1));
              polls.add(new Poll(confirmed, System.nanoTime()));
            }
          }
        }
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        // Server restarting: try again shortly on a new connection.
        close(c);
        c = null;
        sleepQuietly(200);
      }
    }
    close(c);
  }

  List<Poll> polls() {
    synchronized (polls) {
      return List.copyOf(polls);
    }
  }

  private static void close(Connection c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (Exception ignored) {
      // broken already
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(10_000);
  }
}
