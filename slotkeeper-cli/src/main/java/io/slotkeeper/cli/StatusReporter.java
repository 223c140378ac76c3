package io.slotkeeper.cli;

import io.slotkeeper.ConnectedServer;
import io.slotkeeper.Lsn;
import io.slotkeeper.SourceProgress;
import io.slotkeeper.SourceStatus;
import io.slotkeeper.StatusLevel;
import io.slotkeeper.javadsl.Control;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What a running stream tells the person on stderr, at any verbosity and whether or not stderr is a
 * terminal: what it waits for (a blocked slot creation and its blockers, a slot held by another
 * consumer, a server it cannot reach, each with what happens next), one line when such a wait
 * starts or changes and one when it ends ({@link WaitLines} decides); warnings when the stream
 * drops from ACTIVE (the engine reconnects on its own, so these are warnings, not exits) and when
 * it is back; and about once a second a progress line when stderr is a terminal or --progress asks
 * for it.
 *
 * <p>Status changes arrive on an actor thread; they are queued and printed from the command's loop,
 * so output lines never interleave with the progress line.
 */
final class StatusReporter {
  private final Io io;
  private final boolean progress;
  private final String slot;
  private final ConcurrentLinkedQueue<SourceStatus> changes = new ConcurrentLinkedQueue<>();
  private boolean wasActive;
  private boolean degraded;
  private long degradedSinceNanos;
  private final WaitLines waits = new WaitLines();
  private boolean progressOnScreen;
  private long lastProgressNanos;
  private long rateWindowStartNanos = System.nanoTime();
  private long rateWindowStartRows;
  private volatile double rowsPerSecond;
  private String onFirstActive;
  private ConnectedServer lastServer;

  StatusReporter(Io io, boolean progress, String slot) {
    this.io = io;
    this.progress = progress || io.stderrIsTerminal;
    this.slot = slot;
  }

  /** A notice to print once the stream is first ACTIVE (e.g. that the slot was created). */
  void onFirstActive(String notice) {
    this.onFirstActive = notice;
  }

  AutoCloseable attach(Control control) {
    return control.subscribe(changes::add);
  }

  /** Rows per second over the last full second. */
  double rowsPerSecond() {
    return rowsPerSecond;
  }

  static long lagBytes(SourceProgress p) {
    Lsn r = p.receivedLsn();
    Lsn c = p.confirmedLsn();
    if (!r.isValid() || !c.isValid() || !r.isAfter(c)) {
      return 0;
    }
    return r.minus(c);
  }

  /** Called by the command's loop a few times a second. */
  void tick(SourceStatus status, SourceProgress p, StreamPipeline.Stats stats) {
    long now = System.nanoTime();
    SourceStatus s;
    while ((s = changes.poll()) != null) {
      onStatus(s, p);
    }
    p.server().ifPresent(this::onServer);
    long rows = stats.rows.get();
    if (now - rateWindowStartNanos >= 1_000_000_000L) {
      rowsPerSecond = (rows - rateWindowStartRows) * 1e9 / (now - rateWindowStartNanos);
      rateWindowStartNanos = now;
      rateWindowStartRows = rows;
    }
    if (progress && now - lastProgressNanos >= 1_000_000_000L) {
      lastProgressNanos = now;
      String line =
          String.format(
              Locale.ROOT,
              "%-8s %s rows  %s rows/s  lag %s  confirmed %s  reconnects %d",
              status.level(),
              Format.count(rows),
              Format.count(Math.round(rowsPerSecond)),
              Format.bytes(lagBytes(p)),
              p.confirmedLsn(),
              p.reconnects());
      if (io.stderrIsTerminal) {
        synchronized (io.err) {
          io.err.print("\r\033[K" + line);
          io.err.flush();
        }
        progressOnScreen = true;
      } else {
        print("progress: " + line, false);
      }
    }
  }

  /**
   * One line when the source reaches a server other than the last one it reported (a failover with
   * a multi-host URL, or a promotion: another host or timeline), at any verbosity; the first one
   * only with progress lines on.
   */
  private void onServer(ConnectedServer server) {
    if (server.equals(lastServer)) {
      return;
    }
    if (lastServer != null) {
      print("now connected to " + server + ", before " + lastServer, false);
    } else if (progress) {
      print("connected to " + server, false);
    }
    lastServer = server;
  }

  private void onStatus(SourceStatus s, SourceProgress p) {
    StatusLevel level = s.level();
    String waitLine = waits.next(s, System.nanoTime());
    if (level == StatusLevel.ACTIVE) {
      if (degraded) {
        // Says the same as the wait's end line, and how many reconnects it took.
        double secs = (System.nanoTime() - degradedSinceNanos) / 1e9;
        print(
            String.format(
                Locale.ROOT,
                "stream active again after %.1f s (reconnects so far: %d)",
                secs,
                p.reconnects()),
            false);
        degraded = false;
      } else {
        if (waitLine != null) {
          print(waitLine, false);
        }
        if (!wasActive) {
          if (onFirstActive != null) {
            print(onFirstActive, false);
          }
          if (progress) {
            print("streaming from slot " + slot, false);
          }
        }
      }
      wasActive = true;
      return;
    }
    if (level == StatusLevel.FAILED || level == StatusLevel.STOPPED) {
      return; // the command reports how it ended
    }
    if (wasActive && !degraded) {
      degraded = true;
      degradedSinceNanos = System.nanoTime();
      print(
          "replication stream interrupted (was ACTIVE, now " + level + "); reconnecting on its own",
          true);
    }
    if (waitLine != null) {
      // A wait that starts or changes is a warning; one that ended before streaming is news.
      print(waitLine, waitLine.startsWith("waiting: "));
    }
  }

  private void print(String text, boolean warning) {
    synchronized (io.err) {
      if (progressOnScreen) {
        io.err.print("\r\033[K");
        progressOnScreen = false;
      }
    }
    if (warning) {
      io.warn(text);
    } else {
      io.note(text);
    }
  }

  /** Leaves the terminal on a fresh line. */
  void close() {
    synchronized (io.err) {
      if (progressOnScreen) {
        io.err.print("\r\033[K");
        io.err.flush();
        progressOnScreen = false;
      }
    }
  }
}
