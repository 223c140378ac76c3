package io.slotkeeper.bench;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The listener every end-to-end benchmark gives both contenders: counts row changes, optionally
 * records commit-to-delivery latencies, and completes {@link #reached} at the first commit after
 * {@link #target} changes have arrived. Written by the reader's consumer thread only.
 */
final class Counter implements ServerSendProbe.SendListener {
  final CompletableFuture<Long> reached = new CompletableFuture<>();
  private final long target;
  private final boolean recordLatency;
  private volatile long changes;
  // Latency samples (µs) of changes committed at or after this instant (Unix epoch µs).
  private volatile long latencyFromMicros = Long.MAX_VALUE;
  // Guarded by this.
  private final Samples samples;
  // Commit to the server's send (µs), from the server-send probe only. Guarded by this.
  private final Samples serverSamples;
  // Run on the reader's thread as the first change arrives (the catch-up bench samples CPU there).
  private volatile Runnable onFirstChange;

  Counter(long target, boolean recordLatency) {
    this.target = target;
    this.recordLatency = recordLatency;
    // Room for 65,536 samples up front, so that recording seldom allocates.
    int capacity = recordLatency ? 1 << 16 : 0;
    this.samples = new Samples(capacity);
    this.serverSamples = new Samples(capacity);
  }

  /** A growing array of samples, µs. */
  private static final class Samples {
    private long[] values;
    private int count;

    Samples(int capacity) {
      values = new long[capacity];
    }

    void add(long micros) {
      if (count == values.length) {
        values = Arrays.copyOf(values, Math.max(1 << 16, count * 2));
      }
      values[count++] = micros;
    }

    long[] copy() {
      return Arrays.copyOf(values, count);
    }
  }

  @Override
  public void change(char kind, long commitMicros) {
    count();
    if (recordLatency && commitMicros >= latencyFromMicros) {
      long now = SlotkeeperContender.micros(java.time.Instant.now());
      synchronized (this) {
        samples.add(now - commitMicros);
      }
    }
  }

  /**
   * The server-send probe's change: recorded as its latency to arrival, like every reader's, and
   * its latency to the server's send apart ({@link #serverSamples}).
   */
  @Override
  public void sent(char kind, long commitMicros, long sentMicros) {
    change(kind, commitMicros);
    if (recordLatency && commitMicros >= latencyFromMicros) {
      synchronized (this) {
        serverSamples.add(sentMicros - commitMicros);
      }
    }
  }

  private void count() {
    if (changes == 0 && onFirstChange != null) {
      onFirstChange.run();
    }
    // Single writer: a plain increment of the volatile is safe, and readers see a recent value.
    changes = changes + 1;
  }

  @Override
  public void commit() {
    if (changes >= target && !reached.isDone()) {
      reached.complete(System.nanoTime());
    }
  }

  /** {@code r} runs once, on the reader's thread, when the first change arrives. */
  void onFirstChange(Runnable r) {
    onFirstChange = r;
  }

  long changes() {
    return changes;
  }

  /** Record latencies of changes committed from now on. */
  void recordLatencyFrom(long epochMicros) {
    latencyFromMicros = epochMicros;
  }

  /** Stop recording: later samples would be taken while the writer winds down. */
  void stopRecording() {
    latencyFromMicros = Long.MAX_VALUE;
  }

  synchronized long[] latencySamples() {
    return samples.copy();
  }

  /** Commit to the server's send of each recorded change; empty unless the reader was the probe. */
  synchronized long[] serverSamples() {
    return serverSamples.copy();
  }
}
