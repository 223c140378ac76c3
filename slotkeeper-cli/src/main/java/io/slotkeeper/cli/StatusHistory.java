package io.slotkeeper.cli;

import io.slotkeeper.SourceProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The last minutes of the source's figures, sampled at a fixed interval, for the status page's lag
 * chart ({@code GET /status/history}). A monitoring system keeps longer history from {@code
 * /metrics}; this is only what a person opening the page wants at a glance, so it is a small ring
 * in memory: {@code span / interval} samples, a few kilobytes.
 */
final class StatusHistory implements AutoCloseable {

  /** One sample; -1 in a server-side figure means the engine has not read it yet. */
  record Sample(
      long epochMillis,
      String level,
      long lagBytes,
      long serverLagBytes,
      long retainedWalBytes,
      double rowsPerSecond) {}

  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
  static final Duration DEFAULT_SPAN = Duration.ofMinutes(10);

  private final Sample[] ring;
  private final Duration interval;
  private int next;
  private int size;
  private ScheduledExecutorService sampler;

  StatusHistory(Duration interval, Duration span) {
    if (interval.isZero() || interval.isNegative() || span.compareTo(interval) < 0) {
      throw new IllegalArgumentException("interval must be positive and no longer than span");
    }
    this.interval = interval;
    this.ring = new Sample[(int) (span.toMillis() / interval.toMillis())];
  }

  /** Samples {@code probe} now and then every interval, on one daemon thread, until closed. */
  static StatusHistory start(HttpStatusServer.Probe probe, LongSupplier clock) {
    StatusHistory h = new StatusHistory(DEFAULT_INTERVAL, DEFAULT_SPAN);
    h.sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "slotkeeper-status-history");
              t.setDaemon(true);
              return t;
            });
    h.sampler.scheduleAtFixedRate(
        () -> {
          try {
            h.add(sampleOf(probe, clock.getAsLong()));
          } catch (RuntimeException e) {
            // A probe that cannot answer (the system shutting down) leaves a gap, not a dead
            // sampler: a thrown exception would cancel every later run.
          }
        },
        0,
        h.interval.toMillis(),
        TimeUnit.MILLISECONDS);
    return h;
  }

  static Sample sampleOf(HttpStatusServer.Probe probe, long epochMillis) {
    SourceProgress p = probe.progress();
    return new Sample(
        epochMillis,
        probe.status().level().name(),
        StatusReporter.lagBytes(p),
        p.lagBytes(),
        p.retainedWalBytes(),
        probe.rowsPerSecond());
  }

  synchronized void add(Sample s) {
    ring[next] = s;
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
  }

  /** The samples, oldest first. */
  synchronized List<Sample> samples() {
    List<Sample> out = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      out.add(ring[(next - size + i + ring.length) % ring.length]);
    }
    return out;
  }

  /** The JSON of {@code GET /status/history}. */
  Map<String, Object> json() {
    List<Object> list = new ArrayList<>();
    for (Sample s : samples()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("t", s.epochMillis());
      m.put("level", s.level());
      m.put("lag_bytes", s.lagBytes());
      m.put("server_lag_bytes", s.serverLagBytes());
      m.put("retained_wal_bytes", s.retainedWalBytes());
      m.put("rows_per_second", s.rowsPerSecond());
      list.add(m);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("interval_ms", interval.toMillis());
    m.put("capacity", ring.length);
    m.put("samples", list);
    return m;
  }

  @Override
  public void close() {
    if (sampler != null) {
      sampler.shutdownNow();
    }
  }
}
